"""The monitoring app's permissions."""

import rules

from monitoring.statistics_rules import may_view_statistics

rules.add_perm("monitoring.view_statistics", may_view_statistics)
