"""Who may read the statistics (issue 16, item 3): commission staff and administrators. Expert
reviewers, finance officers and applicants may not. The open data (monitoring.opendata) is public
and asks no permission. Registered by MonitoringConfig.ready(); rules autodiscovers only rules.py."""

import rules

from accounts.rules import is_administrator, is_commission_staff

rules.add_perm("monitoring.view_statistics", is_commission_staff | is_administrator)
