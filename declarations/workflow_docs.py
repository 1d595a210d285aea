"""The parts of docs/workflow.md that are drawn from the code: the state diagram, the transitions
table and the labels table, rendered from `TRANSITIONS` and the labels of `declarations.enums`.

Pure: no database, no files. `python manage.py workflow_docs --write` puts the blocks into
docs/workflow.md between their markers; tests/test_docs.py fails when the file no longer matches.
Labels are rendered in English whatever the active language, so the file does not depend on who
runs the command.
"""

import re

from django.utils import translation

from declarations.enums import APPLICANT_LABELS, PUBLIC_LABELS, DeclarationState
from declarations.workflow import TERMINAL_STATES, TRANSITIONS

# Markdown comments (empty link definitions): invisible when rendered, and without the "-->" of an
# HTML comment, which a reader of the diagram's edges would take for one.
START = "[//]: # (generated: {name})"
END = "[//]: # (end generated)"
_BLOCK = re.compile(
    r"^\[//\]: # \(generated: (?P<name>[a-z_]+)\)\n(?P<body>.*?)^\[//\]: # \(end generated\)$", re.M | re.S
)


def _yes_no(value):
    return "yes" if value else "no"


def _cell(text):
    # A "|" inside a label would end the cell.
    return str(text).replace("|", r"\|")


def _row(cells):
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def _in_enum_order(states):
    return [state for state in DeclarationState if state in states]


def state_diagram():
    """A mermaid state diagram: every transition of the table, one edge per source, in table order.
    Its entries are the states no transition leads to; its exits are TERMINAL_STATES."""
    targets = {transition.target for transition in TRANSITIONS.values()}
    lines = ["```mermaid", "stateDiagram-v2"]
    lines += [f"    [*] --> {state.value}" for state in DeclarationState if state not in targets]
    for action, transition in TRANSITIONS.items():
        for source in _in_enum_order(transition.sources):
            lines.append(f"    {source.value} --> {DeclarationState(transition.target).value}: {action.value}")
    lines += [f"    {state.value} --> [*]" for state in _in_enum_order(TERMINAL_STATES)]
    lines.append("```")
    return "\n".join(lines)


def transitions_table():
    """One row per action of TRANSITIONS, in table order; sources in the order of DeclarationState."""
    lines = [
        _row(
            (
                "action",
                "from",
                "to",
                "permission",
                "note required",
                "system may take it",
                "notifies applicant",
                "changes award history",
            )
        ),
        "|" + "---|" * 8,
    ]
    with translation.override("en"):
        for action, transition in TRANSITIONS.items():
            lines.append(
                _row(
                    (
                        f"`{action.value}`: {_cell(action.label)}",
                        ", ".join(source.value for source in _in_enum_order(transition.sources)),
                        DeclarationState(transition.target).value,
                        f"`{transition.permission}`",
                        _yes_no(transition.note_required),
                        _yes_no(transition.system),
                        _yes_no(transition.notify_applicant),
                        _yes_no(transition.changes_history),
                    )
                )
            )
    return "\n".join(lines)


def labels_table():
    """One row per state: the staff's label (the choice label), the applicant's and the public's."""
    lines = [_row(("state", "staff", "applicant", "public")), "|---|---|---|---|"]
    with translation.override("en"):
        for state in DeclarationState:
            public = PUBLIC_LABELS.get(state)
            lines.append(
                _row(
                    (
                        state.value,
                        _cell(state.label),
                        _cell(APPLICANT_LABELS[state]),
                        _cell(public) if public is not None else "",
                    )
                )
            )
    return "\n".join(lines)


def generated_blocks():
    """Block name -> its markdown, as docs/workflow.md should hold it between its markers."""
    return {"diagram": state_diagram(), "transitions": transitions_table(), "labels": labels_table()}


def read_blocks(text):
    """Block name -> the markdown between its markers in `text` (surrounding blank lines dropped)."""
    return {match["name"]: match["body"].strip("\n") for match in _BLOCK.finditer(text)}


def write_blocks(text, blocks):
    """`text` with the body of each of `blocks` replaced. Raises ValueError naming any block whose
    markers are missing: where a table goes is the document's choice, not the generator's."""
    missing = sorted(set(blocks) - set(read_blocks(text)))
    if missing:
        raise ValueError(
            "no markers for "
            + ", ".join(missing)
            + f"; add a line {START.format(name='<name>')} and a line {END} where each block goes"
        )

    def replace(match):
        body = blocks.get(match["name"])
        if body is None:
            return match[0]
        return f"{START.format(name=match['name'])}\n\n{body}\n\n{END}"

    return _BLOCK.sub(replace, text)
