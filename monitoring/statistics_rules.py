"""Who may read the statistics (issue 16, item 3): commission staff and administrators. Expert
reviewers, finance officers and applicants may not. The open data (monitoring.opendata) is public
and asks no permission. monitoring/rules.py registers the permission "monitoring.view_statistics"
with this predicate (tests/test_architecture.py keeps every add_perm in its app's rules.py)."""

from accounts.rules import is_administrator, is_commission_staff

may_view_statistics = is_commission_staff | is_administrator
