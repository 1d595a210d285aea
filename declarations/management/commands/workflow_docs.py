"""Print the generated parts of docs/workflow.md, or write them into it.

    python manage.py workflow_docs            # print the blocks
    python manage.py workflow_docs --write    # replace them in docs/workflow.md, between their markers

Run it with --write after changing TRANSITIONS or a state's label; tests/test_docs.py fails until
the file matches.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from declarations.workflow_docs import END, START, generated_blocks, write_blocks


def workflow_doc_path():
    return Path(settings.BASE_DIR) / "docs" / "workflow.md"


class Command(BaseCommand):
    help = "Print the state diagram, transitions and labels tables of docs/workflow.md, or --write them into it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write", action="store_true", help="replace the generated blocks in docs/workflow.md, between markers"
        )

    def handle(self, *args, write=False, **options):
        blocks = generated_blocks()
        if not write:
            for name, body in blocks.items():
                self.stdout.write(f"{START.format(name=name)}\n\n{body}\n\n{END}\n")
            return
        path = workflow_doc_path()
        text = path.read_text(encoding="utf-8")
        try:
            updated = write_blocks(text, blocks)
        except ValueError as problem:
            raise CommandError(f"{path}: {problem}") from None
        if updated == text:
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(updated, encoding="utf-8")
        self.stdout.write(f"Wrote {', '.join(blocks)} into {path}.")
