"""Who may do what in the staff console: applicants, expert reviewers, finance officers and the
administrator get 403 or 404 on every staff-only page and action, and change nothing; a reviewer
sees only the declarations assigned to them. A guard fails when a console URL is added without
being placed in this matrix."""

import datetime
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from accounts.models import User
from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from review.meetings import withdrawal_record
from review.models import (
    AcceptanceCheck,
    ConflictOfInterest,
    CreditRecord,
    CriterionScore,
    Decision,
    DoubleFundingMatch,
    EvaluationMeeting,
    FundingRecord,
    MeetingOpinion,
    MeetingWithdrawal,
    RegisterImport,
    ReviewAssignment,
    UnitStatusRecord,
)
from review.selectors import REVIEWER_TAB_KEYS
from tests.conftest import PEOPLE, person
from tests.factories import DeclarationFactory, ReviewerFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

OUTSIDERS = ["applicant", "other_applicant", "unassigned_reviewer", "finance", "administrator"]


@pytest.fixture(scope="module")
def shared(module_db):
    """The people, and a declaration at each point the console acts on, a meeting and a funded project:
    built once for the module (tests/conftest.py, module_db), each test reading them afresh."""
    with module_db.building():
        people = {name: person(name) for name in PEOPLE}
        people["unassigned_reviewer"] = ReviewerFactory(username="reviewer-unassigned")
        applicant, staff = people["applicant"], people["staff"]
        cast = Cast(
            applicant=applicant,
            staff=staff,
            reviewers=[people["reviewer"], people["second_reviewer"]],
            finance=people["finance"],
        )

        def at(state):
            declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
            return build_to(declaration, state, cast=cast)

        submitted, under_review, reviewed = at(S.SUBMITTED), at(S.UNDER_REVIEW), at(S.REVIEWED)
        opinion = meeting_opinion_record(reviewed, cast, Decimal("1600000.00"))
        record = FundingRecord.objects.create(
            credit_code=applicant.organisation.credit_code,
            organisation_name=applicant.organisation.name,
            project_title=reviewed.title,
            project_content=reviewed.summary,
            channel="Municipal Finance Bureau",
            amount=Decimal("100000.00"),
            granted_on=datetime.date(2025, 1, 1),
        )
        match = DoubleFundingMatch.objects.create(declaration=under_review, record=record, similarity=Decimal("0.9"))
        withdrawal = withdrawal_record(
            meeting_id=opinion.meeting_id,
            actor=staff,
            member=people["second_reviewer"],
            declaration=reviewed,
            reason="Advisor.",
        )
        world = {
            "withdrawal": withdrawal,
            "submitted": submitted,
            "under_review": under_review,
            "reviewed": reviewed,
            "meeting": opinion.meeting,
            "match": match,
            "draft": DeclarationFactory(organisation=applicant.organisation, created_by=applicant),
            "organisation": applicant.organisation,
        }
        return {
            "people": {name: user.pk for name, user in people.items()},
            "world": {key: (type(row), row.pk) for key, row in world.items()},
        }


def _shared_person(name):
    @pytest.fixture(name=name)
    def shared_person(shared):
        return User.objects.get(pk=shared["people"][name])

    return shared_person


applicant = _shared_person("applicant")
other_applicant = _shared_person("other_applicant")
staff = _shared_person("staff")
reviewer = _shared_person("reviewer")
second_reviewer = _shared_person("second_reviewer")
finance = _shared_person("finance")
administrator = _shared_person("administrator")
unassigned_reviewer = _shared_person("unassigned_reviewer")


@pytest.fixture
def world(shared, module_files):
    """A declaration at each point the console acts on, a meeting and a funded project."""
    return {key: model.objects.get(pk=pk) for key, (model, pk) in shared["world"].items()}


def _csv_file(name="credit.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "credit_code,list,starts_on,source\n91110108MA01HT8K0X,enforcement,2026-01-01,Credit China\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# (method, url name, kwargs from the world, POST data from the world) of every staff-only page and action.
STAFF_ONLY = [
    ("get", "review:ranking", {}, None),
    ("get", "review:registers", {}, None),
    ("get", "review:register_import", {}, None),
    ("post", "review:register_import", {}, lambda w: {"register": "credit", "file": _csv_file()}),
    ("get", "review:register_records", {"register": "credit"}, None),
    ("get", "review:register_records", {"register": "funding"}, None),
    ("get", "review:register_template_csv", {"register": "credit"}, None),
    ("get", "review:register_template_xlsx", {"register": "funding"}, None),
    ("get", "review:register_records", {"register": "unit_status"}, None),
    ("get", "review:register_template_csv", {"register": "unit_status"}, None),
    ("get", "review:organisation", {"pk": "organisation"}, None),
    (
        "post",
        "review:organisation",
        {"pk": "organisation"},
        lambda w: {"status": "moved_out", "effective_on": "2026-01-05", "source": "AMR"},
    ),
    ("get", "review:double_funding", {"pk": "under_review"}, None),
    (
        "post",
        "review:double_funding",
        {"pk": "under_review"},
        lambda w: {
            "match": w["match"].pk,
            "judgement": "different_project",
            "note": "Different.",
        },
    ),
    ("post", "review:double_funding_check", {"pk": "under_review"}, lambda w: {}),
    (
        "post",
        "review:bulk",
        {},
        lambda w: {
            "declarations": [w["submitted"].pk],
            "action": "accept",
            "confirm": "on",
        },
    ),
    ("get", "review:meetings", {}, None),
    ("get", "review:meeting_new", {}, None),
    (
        "post",
        "review:meeting_new",
        {},
        lambda w: {
            "call": w["reviewed"].call_id,
            "held_on": "2026-01-05",
            "members": [],
            "place": "x",
        },
    ),
    ("get", "review:meeting", {"pk": "meeting"}, None),
    ("get", "review:meeting_edit", {"pk": "meeting"}, None),
    ("post", "review:meeting_edit", {"pk": "meeting"}, lambda w: {"held_on": "2026-01-05", "place": "y"}),
    ("post", "review:meeting_withdrawal", {"pk": "meeting"}, lambda w: {"reason": "Conflict."}),
    (
        "post",
        "review:meeting_withdrawal_remove",
        {"pk": "meeting", "withdrawal": "withdrawal"},
        lambda w: {f"removal-{w['withdrawal'].pk}-removal_reason": "Mistake."},
    ),
    (
        "post",
        "review:meeting_opinion",
        {"pk": "meeting"},
        lambda w: {
            "declaration": w["reviewed"].pk,
            "opinion": "x",
            "scheme": "not_support",
        },
    ),
]

# The staff's actions posted to a declaration's page.
STAFF_ACTIONS = [
    (
        "submitted",
        {"action": "acceptance", "confirmed": "yes", "acceptance-outcome": "refuse", "acceptance-note": "No."},
    ),
    ("submitted", {"action": "disqualify", "confirmed": "yes", "disqualify-note": "No."}),
    ("under_review", {"action": "assign", "assign-reviewers": []}),
    ("under_review", {"action": "complete_review", "confirmed": "yes", "complete_review-note": ""}),
    ("reviewed", {"action": "approve", "confirmed": "yes", "approve-amount": "1000000"}),
    ("reviewed", {"action": "reject", "confirmed": "yes", "reject-note": "No."}),
]

# Pages every console user may open (reviewers only for their assignments) and the reviewers' own actions.
SHARED = {
    "review:queue",
    "review:declaration",
    "review:evaluation_score",
    "review:conflict_declare",
    "review:export_declarations",
    "review:export_decisions",
}

# The annual budgets: the administrator's as well as the staff's (tests/review/test_budgets.py).
BUDGET_PAGES = {"review:budgets", "review:budget"}

WATCHED = [
    Declaration,
    DeclarationEvent,
    AcceptanceCheck,
    ReviewAssignment,
    CriterionScore,
    ConflictOfInterest,
    CreditRecord,
    FundingRecord,
    RegisterImport,
    UnitStatusRecord,
    DoubleFundingMatch,
    EvaluationMeeting,
    MeetingWithdrawal,
    MeetingOpinion,
    Decision,
]


def _snapshot():
    counts = {model.__name__: model.objects.count() for model in WATCHED}
    counts["states"] = sorted(Declaration.objects.values_list("pk", "state"))
    counts["judgements"] = sorted(DoubleFundingMatch.objects.values_list("pk", "judgement"))
    counts["meetings"] = sorted(EvaluationMeeting.objects.values_list("pk", "place", "held_on"))
    return counts


def _url(name, kwargs, world):
    return reverse(name, kwargs={k: (world[v].pk if v in world else v) for k, v in kwargs.items()})


def test_every_console_url_is_in_the_matrix():
    resolver = get_resolver()
    console = {f"review:{name}" for name in resolver.namespace_dict["review"][1].reverse_dict if isinstance(name, str)}
    assert console == {name for _, name, _, _ in STAFF_ONLY} | SHARED | BUDGET_PAGES | {"review:declaration"}


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize(
    ("method", "name", "kwargs", "data"), STAFF_ONLY, ids=lambda v: v if isinstance(v, str) else ""
)
def test_staff_only_pages_and_actions_refuse_everyone_else(client, request, world, role, method, name, kwargs, data):
    client.force_login(request.getfixturevalue(role))
    before = _snapshot()
    url = _url(name, kwargs, world)
    response = client.get(url) if method == "get" else client.post(url, data(world))
    assert response.status_code in (403, 404)
    assert _snapshot() == before


@pytest.mark.parametrize("role", [*OUTSIDERS, "reviewer"])
@pytest.mark.parametrize(("where", "data"), STAFF_ACTIONS, ids=lambda v: v if isinstance(v, str) else v.get("action"))
def test_staff_actions_on_a_declaration_refuse_everyone_else(client, request, world, role, where, data):
    client.force_login(request.getfixturevalue(role))
    before = _snapshot()
    response = client.post(f"/console/{world[where].pk}/", data)
    assert response.status_code in (403, 404)
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["applicant", "other_applicant", "administrator"])
def test_applicants_and_the_administrator_cannot_enter_the_console(client, request, world, role):
    client.force_login(request.getfixturevalue(role))
    for name in ("review:queue", "review:export_declarations", "review:export_decisions"):
        kwargs = {"fmt": "csv"} if name.startswith("review:export") else {}
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
    for key in ("submitted", "under_review", "reviewed"):
        assert client.get(f"/console/{world[key].pk}/").status_code == 403


def test_reviewers_cannot_export(client, reviewer, world):
    client.force_login(reviewer)
    for name in ("review:export_declarations", "review:export_decisions"):
        assert client.get(reverse(name, kwargs={"fmt": "csv"})).status_code == 403


def test_a_reviewer_sees_only_the_declarations_assigned_to_them(client, reviewer, unassigned_reviewer, world):
    assigned = {world["under_review"].pk, world["reviewed"].pk}
    client.force_login(reviewer)
    listed = {
        row.record.pk
        for tab in REVIEWER_TAB_KEYS
        for row in client.get(f"/console/?tab={tab}").context["table"].page.object_list
    }
    assert listed == assigned
    for key, declaration in world.items():
        if isinstance(declaration, Declaration):
            expected = 200 if declaration.pk in assigned else 404
            assert client.get(f"/console/{declaration.pk}/").status_code == expected, key

    client.force_login(unassigned_reviewer)
    for tab in REVIEWER_TAB_KEYS:
        assert list(client.get(f"/console/?tab={tab}").context["table"].page.object_list) == []
    for key in ("submitted", "under_review", "reviewed", "draft"):
        assert client.get(f"/console/{world[key].pk}/").status_code == 404
        assert client.post(reverse("review:evaluation_score", kwargs={"pk": world[key].pk}), {}).status_code == 404
        assert client.post(reverse("review:conflict_declare", kwargs={"pk": world[key].pk}), {}).status_code == 404


def test_a_reviewer_cannot_fetch_the_evidence_of_a_declaration_not_assigned(
    client, applicant, reviewer, unassigned_reviewer, world
):
    declaration = world["under_review"]
    attachment = declaration.attachments.first()
    url = reverse("declarations:attachment", kwargs={"pk": declaration.pk, "attachment_pk": attachment.pk})
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    client.force_login(unassigned_reviewer)
    assert client.get(url).status_code == 404


def test_the_finance_officer_reads_the_console_but_acts_on_nothing_there(client, finance, world):
    client.force_login(finance)
    assert client.get("/console/").status_code == 200
    response = client.get(f"/console/{world['submitted'].pk}/")
    assert response.status_code == 200
    assert "acceptance_form" not in response.context
    assert response.context["action_forms"] == []


@pytest.mark.parametrize(
    ("name", "kwargs"), [(name, kwargs) for method, name, kwargs, _ in STAFF_ONLY if method == "get"], ids=str
)
def test_commission_staff_open_every_staff_only_page(client, staff, world, name, kwargs):
    """The matrix above is not vacuous: the same URLs answer staff."""
    client.force_login(staff)
    assert client.get(_url(name, kwargs, world)).status_code == 200
