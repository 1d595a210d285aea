"""The docs that restate the code agree with it: docs/workflow.md's generated blocks with the
transition table and the state labels."""

import difflib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from declarations.enums import DeclarationState as S
from declarations.workflow import TRANSITIONS
from declarations.workflow_docs import END, START, generated_blocks, read_blocks, write_blocks

DOCS = Path(__file__).resolve().parent.parent / "docs"
REGENERATE = "run `python manage.py workflow_docs --write`"


def _workflow_doc_blocks():
    return read_blocks((DOCS / "workflow.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list(generated_blocks()))
def test_workflow_doc_block_matches_the_code(name):
    expected = generated_blocks()[name]
    blocks = _workflow_doc_blocks()
    assert name in blocks, (
        f"docs/workflow.md has no {START.format(name=name)} ... {END} block; add the two marker lines, then "
        + REGENERATE
    )
    diff = difflib.unified_diff(blocks[name].splitlines(), expected.splitlines(), "file", "code", lineterm="")
    assert blocks[name] == expected, (
        f"docs/workflow.md's {name} block differs from TRANSITIONS and the labels; {REGENERATE}\n" + "\n".join(diff)
    )


def test_workflow_diagram_draws_every_state_and_transition():
    diagram = _workflow_doc_blocks()["diagram"]
    nodes = set(re.findall(r"^\s*(\w+) -->", diagram, re.M)) | set(re.findall(r"--> (\w+)", diagram))
    assert nodes >= {state.value for state in S}
    edges = set(re.findall(r"^\s*(\w+) --> (\w+): (\w+)$", diagram, re.M))
    in_table = {
        (source, transition.target, action)
        for action, transition in TRANSITIONS.items()
        for source in transition.sources
    }
    assert edges == in_table


def test_workflow_docs_write_replaces_only_the_blocks_and_is_idempotent():
    text = f"Before.\n\n{START.format(name='labels')}\nstale\n{END}\n\nAfter.\n"

    written = write_blocks(text, {"labels": "| new |"})

    assert written == f"Before.\n\n{START.format(name='labels')}\n\n| new |\n\n{END}\n\nAfter.\n"
    assert write_blocks(written, {"labels": "| new |"}) == written
    assert read_blocks(written) == {"labels": "| new |"}


def test_workflow_docs_write_refuses_a_document_without_markers():
    with pytest.raises(ValueError, match="no markers for transitions"):
        write_blocks("No markers here.\n", {"transitions": "| x |"})


def test_workflow_docs_command_writes_the_blocks_into_the_document(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "docs").mkdir()
    document = tmp_path / "docs" / "workflow.md"
    document.write_text(
        "".join(f"# {name}\n\n{START.format(name=name)}\n{END}\n\n" for name in generated_blocks()), encoding="utf-8"
    )

    call_command("workflow_docs", "--write", stdout=StringIO())

    assert read_blocks(document.read_text(encoding="utf-8")) == generated_blocks()
