"""The public board's reads (common.sql.fetch) on PostgreSQL: prepared after a few runs, and planned
once for all their runs (a generic plan), while Django's own queries stay unprepared."""

import pytest
from django.db import connection, connections
from django.test.utils import override_settings

from common.sql import fetch, fields_of, plan_cache_mode_set
from declarations.models import Programme

pytestmark = pytest.mark.postgres

READ = 'SELECT p."id", p."code" FROM "declarations_programme" p WHERE p."code" = %s'


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def _plan_cache_mode_of_a_new_connection():
    """A connection of its own (the test's is inside its transaction), as a request would open it."""
    new = connections.create_connection("default")
    try:
        with new.cursor() as cursor:
            cursor.execute("SELECT current_setting('plan_cache_mode')")
            return cursor.fetchone()[0]
    finally:
        new.close()


def _prepared_reads():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return [row for row in cursor.fetchall() if row[0] == READ.replace("%s", "$1")]


@pytest.mark.django_db
def test_a_new_connection_plans_prepared_statements_once_for_all_their_runs():
    _needs_postgresql()
    assert _plan_cache_mode_of_a_new_connection() == "force_generic_plan"


@pytest.mark.django_db
def test_a_read_run_again_is_prepared_and_never_planned_afresh():
    _needs_postgresql()
    fields = fields_of(Programme, "id", "code")
    for code in ["ART5", "ART6", "ART7", "ART8", "ART9", "ART10", "ART5", "ART6"]:
        rows = fetch(READ, [code], fields)
        assert [row[1] for row in rows] == [code]
    [(_statement, generic_plans, custom_plans)] = _prepared_reads()
    assert custom_plans == 0
    assert generic_plans >= 1


@pytest.mark.django_db
def test_plan_cache_mode_auto_leaves_postgresqls_own_choice():
    _needs_postgresql()
    with override_settings(DATABASE_PLAN_CACHE_MODE="auto"):
        assert _plan_cache_mode_of_a_new_connection() == "auto"


def test_the_setting_is_left_alone_on_sqlite(settings):
    class SQLite:
        vendor = "sqlite"

    settings.DATABASE_PLAN_CACHE_MODE = "force_generic_plan"
    assert plan_cache_mode_set(sender=None, connection=SQLite()) is None
