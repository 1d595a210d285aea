"""The audit trail nobody rewrites (issue 15, point 2): on PostgreSQL a trigger refuses UPDATE and
DELETE on every audit table to every role, the application's role may only INSERT and SELECT them,
and only prune_audit deletes, only rows older than the retention period."""

import datetime
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone
from psycopg import sql

from accounts.enums import SecurityEventKind, SecurityOutcome
from accounts.security import security_event_record
from common.audit import AUDIT_MODELS, audit_tables, history_models, retention_start
from config.demo import PATHS, Cast
from declarations.enums import DeclarationState as S
from declarations.models import DeclarationEvent, Organisation
from review.models import CreditList, CreditRecord
from tests.factories import CallFactory, DeclarationFactory, OrganisationFactory
from tests.factories.states import build_to
from tests.monitoring.conftest import monitoring_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def on_postgresql(request):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger and the roles are PostgreSQL's (DATABASE_URL=postgres://...)")


def postgres(test):
    return pytest.mark.postgres(pytest.mark.usefixtures("on_postgresql")(test))


def _tables_in_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


def _guarded_tables():
    """The tables the trigger is attached to, read from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'audit_row_immutable'")
        return {row[0] for row in cursor.fetchall()}


def test_every_history_table_and_every_event_table_is_an_audit_table():
    """A new history table is an audit table by derivation; a new table of events must be listed in
    common.audit.AUDIT_MODELS (e.g. accounts.SecurityEvent), or this fails naming it."""
    tables = audit_tables()
    events = [model._meta.label for model in apps.get_models() if model.__name__.endswith("Event")]
    assert [label for label in events if label not in AUDIT_MODELS] == []
    assert [m._meta.db_table for m in history_models() if m._meta.db_table not in tables] == []
    assert "review_historicalcreditrecord" in tables


@postgres
@pytest.mark.django_db
def test_every_audit_table_in_the_database_has_the_trigger():
    """Read from the catalogue, independently of common.audit's derivation: every table of history
    and of events, and the payments, carry the trigger."""
    in_database = _tables_in_database()
    expected = {t for t in in_database if "historical" in t or t.endswith("event")} | {
        apps.get_model(label)._meta.db_table for label in AUDIT_MODELS
    }
    assert len(expected) >= 30
    assert sorted(expected - _guarded_tables()) == []


@pytest.fixture
def recovered_declaration(applicant, staff, reviewer, second_reviewer, finance, second_finance, open_call):
    """A declaration walked to recovery after being paid in full: events, acceptance checks, orders,
    re-checks, payments, a recovery case and history rows of many kinds."""
    cast = Cast(
        applicant=applicant,
        staff=staff,
        reviewers=[reviewer, second_reviewer],
        finance=finance,
        approver=second_finance,
    )
    declaration = DeclarationFactory(
        organisation=applicant.organisation, call=CallFactory(year=open_call.year), created_by=applicant
    )
    declaration = build_to(declaration, S.PAID, cast=cast, through=PATHS[S.PAID][:-1])
    monitoring_rows(declaration, staff=staff, applicant=applicant)
    return build_to(declaration, S.RECOVERED, cast=cast)


def _refused(statement, *args):
    with pytest.raises(ProgrammingError, match="audit trail"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, args)


@postgres
@pytest.mark.django_db
def test_the_owner_can_neither_update_nor_delete_an_audit_row(recovered_declaration):
    """The tests connect as the owner (a superuser here): the trigger refuses them too."""
    security_event_record(kind=SecurityEventKind.EXPORT, outcome=SecurityOutcome.SUCCESS)
    tried = []
    for table in sorted(audit_tables()):
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table)).as_string(cursor.connection)
            )
            if cursor.fetchone() is None:
                continue
        name = sql.Identifier(table).as_string(connection.connection)
        _refused(f"UPDATE {name} SET {_first_column(table)} = {_first_column(table)}")
        _refused(f"DELETE FROM {name}")
        tried.append(table)
    listed = {apps.get_model(label)._meta.db_table for label in AUDIT_MODELS}
    assert listed - {"disbursement_repayment"} <= set(tried)
    assert "declarations_historicaldeclaration" in tried
    # And through the ORM, as the application would try it.
    event = DeclarationEvent.objects.filter(declaration=recovered_declaration).first()
    event.note = "rewritten"
    with pytest.raises(ProgrammingError), transaction.atomic():
        event.save()
    with pytest.raises(ProgrammingError), transaction.atomic():
        recovered_declaration.payments.all().delete()


def _first_column(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_table_description(cursor, table)[0].name


@pytest.fixture
def app_role():
    """A login role of its own, with a password whatever the server's authentication asks, dropped
    afterwards (roles belong to the whole cluster). Yields (role, password)."""
    role, password = f"zgc_test_app_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}")
            .format(sql.Identifier(role), sql.Literal(password))
            .as_string(connection.connection)
        )
    yield role, password
    with connection.cursor() as cursor:
        name = sql.Identifier(role).as_string(connection.connection)
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


def _connect_as(role, password):
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        dbname=params["NAME"],
        user=role,
        password=password,
        autocommit=True,
    )


@postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_role_may_only_insert_and_select_audit_rows(app_role, applicant):
    app_role, password = app_role
    table = sql.Identifier
    # Granted too much before: the command grants exactly its rights, whatever was there.
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("GRANT ALL ON declarations_declarationevent TO {}")
            .format(sql.Identifier(app_role))
            .as_string(connection.connection)
        )
    call_command("grant_app_role", app_role, stdout=io.StringIO())
    call_command("grant_app_role", app_role, stdout=io.StringIO())  # idempotent
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    with _connect_as(app_role, password) as app:
        for name in sorted(audit_tables()):
            app.execute(sql.SQL("SELECT count(*) FROM {}").format(table(name)))
            app.execute(sql.SQL("INSERT INTO {0} SELECT * FROM {0} WHERE false").format(table(name)))
            for statement in ("UPDATE {0} SET {1} = {1}", "DELETE FROM {0}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                    app.execute(
                        sql.SQL(statement).format(table(name), sql.Identifier(_first_column(name))),
                    )
        # A real row: appended, then neither changed nor deleted.
        event_id = app.execute(
            "INSERT INTO declarations_declarationevent (declaration_id, action, from_state, to_state, note, created_at)"
            " VALUES (%s, 'submit', 'draft', 'submitted', '', now()) RETURNING id",
            [declaration.pk],
        ).fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("UPDATE declarations_declarationevent SET note = 'x' WHERE id = %s", [event_id])
        # Elsewhere the usual rights.
        app.execute("UPDATE declarations_declaration SET title = title WHERE id = %s", [declaration.pk])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DELETE FROM django_migrations WHERE false")


@postgres
@pytest.mark.django_db
def test_grant_app_role_refuses_a_role_that_does_not_exist():
    with pytest.raises(CommandError, match="no role"):
        call_command("grant_app_role", "zgc_no_such_role")


def _aged_copies(queryset, days):
    """Copies of history rows dated `days` ago (written as INSERTs, which the trigger allows)."""
    copies = []
    for row in queryset:
        row.history_id = None
        row.history_date = timezone.now() - datetime.timedelta(days=days)
        row.save()
        copies.append(row.history_id)
    return copies


@pytest.mark.django_db
def test_prune_audit_deletes_only_rows_older_than_the_retention_period():
    organisation = OrganisationFactory()
    history = Organisation.history.filter(id=organisation.pk)
    old = _aged_copies(history.all(), days=400)
    kept = _aged_copies(history.filter(history_id__lt=min(old)), days=settings.AUDIT_RETENTION_DAYS - 1)
    call_command("prune_audit", before=retention_start().isoformat(), stdout=io.StringIO())
    assert not Organisation.history.filter(history_id__in=old).exists()
    assert Organisation.history.filter(history_id__in=kept).count() == len(kept) == 1
    assert history.exclude(history_id__in=old + kept).exists()  # today's


@pytest.mark.django_db
def test_prune_audit_refuses_a_date_inside_the_retention_period():
    organisation = OrganisationFactory()
    old = _aged_copies(Organisation.history.filter(id=organisation.pk), days=400)
    inside = retention_start() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match=f"kept {settings.AUDIT_RETENTION_DAYS} days"):
        call_command("prune_audit", before=inside.isoformat())
    assert Organisation.history.filter(history_id__in=old).count() == 1


@postgres
@pytest.mark.django_db
def test_the_trigger_lets_no_prune_through_inside_the_retention_period():
    """Whatever calls it: a cut-off less than 180 days ago deletes nothing, even of an old row."""
    organisation = OrganisationFactory()
    old = _aged_copies(Organisation.history.filter(id=organisation.pk), days=100)
    with pytest.raises(ProgrammingError, match="audit trail"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audit.prune_before', (now() - interval '10 days')::text, true)")
        Organisation.history.filter(history_id__in=old).delete()


def test_a_retention_shorter_than_six_months_is_refused():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "179"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 180" in result.stderr


@pytest.mark.django_db
def test_the_admin_deletes_neither_credit_records_nor_users(client, administrator):
    record = CreditRecord.objects.create(
        credit_code="91110108MA01HT8K01",
        list=CreditList.SERIOUSLY_ILLEGAL,
        starts_on=datetime.date(2026, 1, 1),
        source="x",
    )
    client.force_login(administrator)
    assert client.get(f"/admin/review/creditrecord/{record.pk}/delete/").status_code == 403
    assert client.get(f"/admin/accounts/user/{administrator.pk}/delete/").status_code == 403
    assert CreditRecord.objects.filter(pk=record.pk).exists()
