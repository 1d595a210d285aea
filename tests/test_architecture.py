"""The structure the tools cannot see: a declaration's state is written by the workflow alone, roles
are compared by the rules alone, every import inside a function says why, every permission the
workflow names exists, and each visibility selector returns exactly what its rule allows."""

import ast
import re
from pathlib import Path

import pytest
import rules

from declarations.workflow import TRANSITIONS

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "common",
    "accounts",
    "notices",
    "declarations",
    "review",
    "publicity",
    "disbursement",
    "monitoring",
    "api",
    "config",
)


def app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def templates():
    return sorted((ROOT / "templates").rglob("*.html"))


def state_assignments(source):
    """Lines that assign an attribute named `state`, or pass `state=` to update()/create()."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
            found.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "create", "bulk_update", "get_or_create", "update_or_create")
            and any(keyword.arg == "state" for keyword in node.keywords)
        ):
            found.append(node.lineno)
    return found


def role_comparisons(source):
    """Lines that compare `<anything>.role` with ==, !=, in or not in."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Attribute) and o.attr == "role" for o in operands):
                found.append(node.lineno)
    return found


TEMPLATE_ROLE = re.compile(r"\.role\s*(==|!=|\bin\b)|\bin\s+\S*\.role\b")
NOQA_IMPORT = re.compile(r"#\s*noqa:\s*PLC0415(?P<rest>.*)$")


def test_a_state_is_written_only_by_a_workflow_module():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in app_modules()
        if path.name != "workflow.py"
        for line in state_assignments(path.read_text())
    ]
    assert offenders == []


def test_roles_are_compared_only_in_a_rules_module():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in app_modules()
        if path.name != "rules.py"
        for line in role_comparisons(path.read_text())
    ]
    offenders += [
        f"{path.relative_to(ROOT)}:{number}"
        for path in templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if TEMPLATE_ROLE.search(line)
    ]
    assert offenders == []


def test_every_import_inside_a_function_says_why():
    offenders = []
    for path in [*app_modules(), ROOT / "manage.py", *sorted((ROOT / "bench").glob("*.py"))]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = NOQA_IMPORT.search(line)
            if match and not re.match(r"\s*--\s*\S", match["rest"]):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def queryset_internals(source):
    """Lines that reach into a QuerySet's internals: its `_iterable_class`, or an attribute of its
    `query` (`queryset.query.select_related = ...`), read or written. Django changes both without
    notice; the public API (values(), select_related(), annotate(), ...) says the same."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and (
            node.attr == "_iterable_class" or (isinstance(node.value, ast.Attribute) and node.value.attr == "query")
        ):
            found.add(node.lineno)
    return sorted(found)


def html_built_in_python(source):
    """Lines that mark text as safe HTML themselves (mark_safe, SafeString): HTML is written by a
    template, or by format_html()/format_html_join(), which escape what they are given."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Name | ast.Attribute):
            names = [node.id if isinstance(node, ast.Name) else node.attr]
        else:
            continue
        if {"mark_safe", "SafeString", "SafeText"} & set(names):
            found.add(node.lineno)
    return sorted(found)


# The evaluation queue's modules, whose markup lives in templates/review/queue/.
QUEUE_MODULES = ("review/filters.py", "review/tables.py", "review/selectors.py", "review/views/queue.py")


def test_no_application_code_reaches_into_a_querysets_internals():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}" for path in app_modules() for line in queryset_internals(path.read_text())
    ]
    assert offenders == []


def test_the_queue_writes_no_html_in_python():
    offenders = [f"{name}:{line}" for name in QUEUE_MODULES for line in html_built_in_python((ROOT / name).read_text())]
    assert offenders == []


@pytest.mark.parametrize(
    ("check", "source"),
    [
        (queryset_internals, "queryset._iterable_class = QueueIterable"),
        (queryset_internals, "shown.query.select_related = queryset.query.select_related"),
        (queryset_internals, "order = queryset.query.order_by"),
        (html_built_in_python, "return mark_safe(f'<th>{header}</th>')"),
        (html_built_in_python, "from django.utils.safestring import mark_safe"),
        (html_built_in_python, "cell = SafeString('<td>' + value + '</td>')"),
        (html_built_in_python, "return safestring.mark_safe(html)"),
    ],
)
def test_the_internals_and_html_checks_catch_what_they_name(check, source):
    assert check(source) == [1]


def test_every_permission_the_workflow_names_is_a_rule():
    missing = sorted({t.permission for t in TRANSITIONS.values() if not rules.perm_exists(t.permission)})
    assert missing == []


def test_each_permission_lives_in_the_rules_module_of_its_app():
    """`<app>.<action>` is added by <app>/rules.py; the console's permissions are review's."""
    owners = {"console": "review"}
    offenders = []
    for path in app_modules():
        for match in re.finditer(r'rules\.add_perm\(\s*"(\w+)\.', path.read_text()):
            app = owners.get(match[1], match[1])
            if path.relative_to(ROOT).as_posix() != f"{app}/rules.py":
                offenders.append(f"{path.relative_to(ROOT)}: {match[1]}")
    assert offenders == []


# --- Each visibility selector and its rule agree, for every role ---------------------------------


@pytest.fixture
def declarations_of_every_kind(db, applicant, other_applicant, staff, reviewer, second_reviewer, open_call):
    """A draft and a submitted declaration of each of two organisations; the submitted one of the
    first assigned to `reviewer`, and one assignment released."""
    from django.utils import timezone

    from declarations.enums import DeclarationState as S
    from review.models import ReviewAssignment
    from tests.factories import DeclarationFactory

    mine_draft = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    theirs_draft = DeclarationFactory(
        organisation=other_applicant.organisation, call=open_call, created_by=other_applicant
    )
    # Visibility reads the state alone, so the audit trail of a real walk is not needed here.
    mine = DeclarationFactory(
        organisation=applicant.organisation, call=open_call, created_by=applicant, state=S.SUBMITTED
    )
    theirs = DeclarationFactory(
        organisation=other_applicant.organisation, call=open_call, created_by=other_applicant, state=S.SUBMITTED
    )
    ReviewAssignment.objects.create(declaration=mine, reviewer=reviewer, assigned_by=staff)
    ReviewAssignment.objects.create(
        declaration=theirs, reviewer=second_reviewer, assigned_by=staff, released_at=timezone.now()
    )
    return [mine_draft, theirs_draft, mine, theirs]


ROLES = ["applicant", "other_applicant", "staff", "reviewer", "second_reviewer", "finance", "administrator"]


@pytest.mark.parametrize("who", ROLES)
def test_declarations_visible_to_returns_exactly_what_view_declaration_allows(request, declarations_of_every_kind, who):
    from declarations.selectors import declarations_visible_to

    user = request.getfixturevalue(who)

    allowed = {d.pk for d in declarations_of_every_kind if rules.has_perm("declarations.view_declaration", user, d)}

    assert set(declarations_visible_to(user).values_list("pk", flat=True)) == allowed


@pytest.mark.parametrize("who", ROLES)
def test_the_console_list_returns_exactly_what_console_view_declaration_allows(
    request, declarations_of_every_kind, who
):
    from review.selectors import declaration_list_for_console

    user = request.getfixturevalue(who)

    allowed = {d.pk for d in declarations_of_every_kind if rules.has_perm("console.view_declaration", user, d)}

    assert sorted(declaration_list_for_console(user).values_list("pk", flat=True)) == sorted(allowed)


def test_the_visibility_fixture_is_not_vacuous(request, declarations_of_every_kind):
    from declarations.selectors import declarations_visible_to

    counts = {who: declarations_visible_to(request.getfixturevalue(who)).count() for who in ROLES}

    assert counts == {
        "applicant": 2,
        "other_applicant": 2,
        "staff": 2,
        "reviewer": 1,
        "second_reviewer": 0,
        "finance": 2,
        "administrator": 2,
    }
