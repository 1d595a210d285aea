"""Give the application's database role exactly its rights: read and write every table, except the
audit tables (common.audit), which it may only read and append to. Run as the owner after each
migrate (docs/deployment.md, "Database roles and the audit trail"); running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from common.audit import audit_tables


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role INSERT and SELECT only on the audit tables (after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as, e.g. zgc_app")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL; the embedded SQLite has none.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"There is no role {role!r}: create it first (CREATE ROLE {role} LOGIN ...).")
            if row[0]:
                raise CommandError(
                    f"{role!r} is a superuser: grants do not restrict it; serve as a role without SUPERUSER."
                )
            cursor.execute("SELECT current_user, current_schema()")
            owner, schema = cursor.fetchone()
            if role == owner:
                raise CommandError(f"{role!r} is the role running migrations; the application needs a role of its own.")
        grantee, schema_name = sql.Identifier(role), sql.Identifier(schema)
        existing = set(connection.introspection.table_names())
        audit = sorted(table for table in audit_tables() if table in existing)
        statements = [
            # From nothing, so that the grants are exactly these whatever was granted before.
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema_name, grantee),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(schema_name, grantee),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_name, grantee),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                schema_name, grantee
            ),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_name, grantee),
            # Only migrations, run as the owner, record themselves.
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {}").format(grantee),
        ]
        if audit:
            statements.append(
                sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(
                    sql.SQL(", ").join(sql.Identifier(table) for table in audit), grantee
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.as_string(connection.connection))
        self.stdout.write(
            f"{role}: SELECT, INSERT, UPDATE and DELETE on the tables of {schema}; "
            f"SELECT and INSERT only on its {len(audit)} audit tables."
        )
