"""On PostgreSQL, trigram indexes for the evaluation queue's search (a number, a title or an
organisation's name containing the words, case-insensitively: Django's icontains is
UPPER(column) LIKE UPPER('%...%'), so the indexes are on the upper-cased columns). Without them every
search read all the declarations (17 ms at 15,000 for the count alone); with them, and the
organisations' ids given as a list (review.filters.QueueFilter.filter_search), PostgreSQL joins the
three index scans in one bitmap (1 to 2 ms). Nothing on SQLite."""

from django.db import migrations

INDEXES = {
    "declaration_number_trgm": ("declarations_declaration", "number"),
    "declaration_title_trgm": ("declarations_declaration", "title"),
    "organisation_name_trgm": ("declarations_organisation", "name"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # As review's double-funding check and the board's search do. Not Django's TrigramExtension:
        # migrated back, it would drop the extension the others' indexes need (and on SQLite it
        # reads PostgreSQL's catalogue).
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0020_history_change_reason_as_text")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
