"""Delete audit rows older than the retention period (AUDIT_RETENTION_DAYS, at least 180 days):
the history tables' and those AUDIT_MODELS dates. Run as the database's owner; the application's
role may not delete audit rows."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from common.audit import RetentionNotOver, audit_prune, retention_start


class Command(BaseCommand):
    help = "Delete the audit rows dated before --before (a date at least AUDIT_RETENTION_DAYS ago)."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: rows dated before this day are deleted")

    def handle(self, *args, before, **options):
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"--before must be a date, YYYY-MM-DD, not {before!r}.") from None
        try:
            deleted = audit_prune(before=day)
        except RetentionNotOver as refusal:
            raise CommandError(str(refusal)) from None
        for label, count in deleted.items():
            if count:
                self.stdout.write(f"{label}: {count}")
        self.stdout.write(
            f"Deleted {sum(deleted.values())} audit rows dated before {day:%Y-%m-%d}; "
            f"the rows from {retention_start():%Y-%m-%d} on are kept."
        )
