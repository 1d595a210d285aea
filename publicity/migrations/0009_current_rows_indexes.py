"""The current rows of a batch in a list's order (a partial index: PostgreSQL read a page's offset
after sorting all the batch's rows by number and id), those of one programme (its count reads only
its rows), and on PostgreSQL a trigram index for the board's search (LIKE '%...%' on the lower-cased
search_text)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

SEARCH_INDEX = "published_search_trgm"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON publicity_publishedentry "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0010_classified_reason"),
        ("publicity", "0008_stored_row_counts"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="publishedentry", name="published_current"),
        migrations.AddIndex(
            model_name="publishedentry",
            index=models.Index(
                condition=models.Q(("until_version__isnull", True)),
                fields=["batch", "number", "id", "until_version"],
                name="published_current",
            ),
        ),
        migrations.AddIndex(
            model_name="publishedentry",
            index=models.Index(
                condition=models.Q(("until_version__isnull", True)),
                fields=["batch", "programme", "number", "id", "until_version"],
                name="published_current_programme",
            ),
        ),
        # Nothing on SQLite; on PostgreSQL, as review's double-funding check does (idempotent).
        TrigramExtension(),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
