"""pg_trgm for the double-funding check's similarity of project content (Art. 16); nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("review", "0003_registers_rubrics_meetings_decisions")]

    operations = [TrigramExtension()]
