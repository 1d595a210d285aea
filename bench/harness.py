"""What every benchmark does around its own measuring: a throw-away test database of its own
(`test_database` on PostgreSQL, in memory on SQLite), production's settings where they weigh on a
page, and the database destroyed at the end, whatever happened."""

import sqlite3

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

# As in production: DEBUG off (no query log), static files by name (the bench renders pages without
# a collected manifest). Not setup_test_environment(): its instrumented template rendering, which
# records every template's context for the tests, would weigh on the pages with more templates.
PRODUCTION = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["testserver"],
    "STORAGES": {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


def run_in_throwaway_database(run, *args, test_database):
    """`run(*args)` in a new test database, under PRODUCTION's settings; 0 for sys.exit."""
    connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = test_database
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    try:
        with override_settings(**PRODUCTION):
            run(*args)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=False)
    return 0


def database_label():
    """The database a benchmark ran on, for its report."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"
    return f"SQLite {sqlite3.sqlite_version} (in memory)"


def request(client, url):
    """A page through the test client; a benchmark stops at any answer but 200."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response
