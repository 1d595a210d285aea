"""The docs that restate the code agree with it: docs/workflow.md's generated blocks with the
transition table and the state labels, docs/awards.md with the award engine's rules."""

import difflib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from declarations import awards
from declarations.awards import AWARD_RULES, percent_text
from declarations.enums import DeclarationState as S
from declarations.programmes import PROGRAMMES, Kind
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


# --- docs/awards.md ---------------------------------------------------------------------------


def _awards_doc_sections():
    """Programme code -> its section of docs/awards.md (from its "## ARTx" heading to the next "## ")."""
    text = (DOCS / "awards.md").read_text(encoding="utf-8")
    sections = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        heading = re.match(r"(ART\w+)\b", part)
        if heading:
            assert heading[1] not in sections, f"docs/awards.md has two sections for {heading[1]}"
            sections[heading[1]] = part
    return sections


def _paragraph(section, label):
    """The text of a section's "**Caps**: ..." paragraph, up to the next bold label."""
    match = re.search(rf"^\*\*{label}\*\*:(.*?)(?=^\*\*|\Z)", section, re.M | re.S)
    return match[1] if match else ""


def _conditions(conditions):
    for condition in conditions:
        yield condition
        if isinstance(condition, awards.AnyOf):
            yield from _conditions(condition.conditions)


def _shown(code, fact, value):
    """A fact's value as the document writes it: 200,000,000 (yuan), 50%, 24 (months)."""
    kind = PROGRAMMES[code].fact(fact).kind
    if kind == Kind.MONEY:
        return f"{value:,}"
    if kind == Kind.PERCENT:
        return percent_text(value)
    return str(int(value))


def _figures(code):
    """(paragraph, what, text) for every number of the programme's rule: its caps, its rate, grade
    or market amounts, and the thresholds of its conditions."""
    rule = AWARD_RULES[code]
    figures = [("Caps", f"cap {cap.label!s}", f"{cap.limit:,}") for cap in rule.caps]
    formula = rule.formula
    if isinstance(formula, awards.Rate):
        figures.append(("Formula", "rate", percent_text(formula.rate * 100)))
    elif isinstance(formula, awards.Grades):
        for bound, _inclusive, amount in formula.grades:
            figures += [
                ("Formula", "grade bound", _shown(code, formula.fact, bound)),
                ("Formula", "grade amount", f"{amount:,}"),
            ]
    elif isinstance(formula, awards.ByChoice):
        figures += [("Formula", f"amount for {choice}", f"{amount:,}") for choice, amount in formula.amounts.items()]
    for condition in _conditions(rule.conditions):
        if isinstance(condition, awards.AtLeast | awards.AtMost):
            figures.append(
                ("Conditions", f"threshold of {condition.fact}", _shown(code, condition.fact, condition.bound))
            )
        elif isinstance(condition, awards.AtMostTimes) and condition.factor != 1:
            figures.append(("Conditions", f"factor of {condition.other}", str(condition.factor)))
        elif isinstance(condition, awards.WithinYears):
            figures.append(("Conditions", f"years from {condition.earlier}", f"{condition.years} years"))
        elif isinstance(condition, awards.YearsSupportedBelow):
            figures.append(("Conditions", "years supported", f"below {condition.limit}"))
    return figures


def _names(code):
    """(paragraph, what, text) for every name the programme's section must use: each fact the
    declaration records, the facts of the formula, its markets, each history field, each article
    a condition cites and each choice a condition excludes."""
    rule = AWARD_RULES[code]
    names = [("Facts", f"fact {fact.name}", f"`{fact.name}`") for fact in PROGRAMMES[code].facts]
    names += [("Formula", f"formula fact {name}", f"`{name}`") for name in rule.formula.facts]
    if isinstance(rule.formula, awards.ByChoice):
        names += [("Formula", f"choice {choice}", f"`{choice}`") for choice in rule.formula.amounts]
    names += [("History", f"history field {field}", f"`{field}`") for field, _kind in rule.history_keys]
    for condition in _conditions(rule.conditions):
        names.append(("Conditions", f"article of {type(condition).__name__}", f"Art. {condition.article}"))
        if isinstance(condition, awards.NotOneOf):
            names += [("Conditions", f"excluded {choice}", f"`{choice}`") for choice in condition.excluded]
    return names


def _missing(section, mentions):
    # A figure must stand alone: 5% is not found in 35%, nor 2,000,000 in 12,000,000 or 2,000,000,000.
    return [
        f"{label}: {what}: {text}"
        for label, what, text in mentions
        if not re.search(rf"(?<![\d.,]){re.escape(text)}(?!\d|,\d)", _paragraph(section, label))
    ]


def test_awards_doc_has_one_section_per_programme():
    assert sorted(_awards_doc_sections()) == sorted(AWARD_RULES)


@pytest.mark.parametrize("code", list(AWARD_RULES))
def test_awards_doc_section_heading_cites_the_article(code):
    section = _awards_doc_sections().get(code, "")

    assert f"(Art. {AWARD_RULES[code].article})" in section.splitlines()[0]


@pytest.mark.parametrize("code", list(AWARD_RULES))
def test_awards_doc_section_states_every_figure_of_the_rule(code):
    section = _awards_doc_sections().get(code, "")
    missing = _missing(section, _figures(code))

    assert missing == [], f"docs/awards.md's {code} section disagrees with AWARD_RULES; not found: {missing}"


@pytest.mark.parametrize("code", list(AWARD_RULES))
def test_awards_doc_section_names_every_fact_history_field_and_article(code):
    section = _awards_doc_sections().get(code, "")
    missing = _missing(section, _names(code))

    assert missing == [], f"docs/awards.md's {code} section disagrees with AWARD_RULES; not found: {missing}"


@pytest.mark.parametrize("code", list(AWARD_RULES))
def test_awards_doc_section_states_no_cap_or_rate_the_rule_lacks(code):
    section = _awards_doc_sections().get(code, "")
    rule = AWARD_RULES[code]
    rates = {percent_text(rule.formula.rate * 100)} if isinstance(rule.formula, awards.Rate) else set()

    caps_stated = set(re.findall(r"\d{1,3}(?:,\d{3})+", _paragraph(section, "Caps")))
    rates_stated = set(re.findall(r"(?<![\d.])\d+(?:\.\d+)?%", _paragraph(section, "Formula")))

    assert (caps_stated, rates_stated) == ({f"{cap.limit:,}" for cap in rule.caps}, rates)
