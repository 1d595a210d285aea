import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.demo import complete_for_submission, evidence_pdf
from declarations.enums import DeclarationState as S
from declarations.evidence import EVIDENCE
from declarations.models import Declaration
from declarations.services import declaration_submit
from declarations.workflow import TransitionRefused
from tests.factories import CallFactory, DeclarationFactory

pytestmark = pytest.mark.django_db

FACTS_POST = {
    "title": "First-round investment in Quantum Sensing",
    "summary": "Seed round.",
    "facts-institution_registered_capital": "50,000,000",
    "facts-registered_in_beijing": "on",
    "facts-manager_registered_with_amac": "on",
    "facts-fund_filed_with_amac": "on",
    "facts-investee_name": "Quantum Sensing Ltd.",
    "facts-investee_established_on": "2023-05-10",
    "facts-investment_date": "2026-03-01",
    "facts-investment_amount": "8,000,000.00",
    "facts-equity_ratio_after_pct": "12.5",
    "facts-first_round": "on",
    "facts-high_tech_field": "on",
    "facts-core_technology_or_ip": "on",
}


PROJECT_POST = {"title": FACTS_POST["title"], "summary": FACTS_POST["summary"]}


def steps_url(declaration, step):
    return f"/applicant/declarations/{declaration.pk}/steps/{step}/"


def fill_in(client, declaration, title=None):
    """Fill in every step of the declaration form through the pages, as an applicant does."""
    client.post(steps_url(declaration, "project"), PROJECT_POST | ({"title": title} if title else {}))
    client.post(steps_url(declaration, "facts"), {k: v for k, v in FACTS_POST.items() if k.startswith("facts-")})
    for evidence in EVIDENCE[declaration.programme.code]:
        if evidence.required:
            upload = SimpleUploadedFile(f"{evidence.code}.pdf", evidence_pdf(evidence.code), "application/pdf")
            client.post(steps_url(declaration, "attachments"), {"evidence": evidence.code, "file": upload})
    client.post(
        steps_url(declaration, "commitment"),
        {
            "signatory_capacity": "legal_representative",
            "signatory_name": declaration.organisation.legal_representative,
            "accept": "on",
        },
    )


def test_applicant_creates_fills_and_submits_a_declaration(client, applicant, open_call):
    client.force_login(applicant)
    response = client.post(
        "/applicant/declarations/new/", {"call": open_call.pk, "programme": _programme("ART6"), "title": "Draft one"}
    )
    declaration = Declaration.objects.get(title="Draft one")
    assert response["Location"] == steps_url(declaration, "organisation")

    fill_in(client, declaration, title="Draft one")
    declaration.refresh_from_db()
    assert declaration.facts["investment_amount"] == "8000000.00"
    assert declaration.facts["first_round"] is True
    review = client.get(steps_url(declaration, "review"))
    assert review.context["problems"] == []

    client.post(f"/applicant/declarations/{declaration.pk}/submit/", {"confirmed": "yes"})
    declaration.refresh_from_db()
    assert declaration.state == S.SUBMITTED
    assert declaration.number == f"ZGC-{open_call.year}-ART6-000001"
    page = client.get(f"/applicant/declarations/{declaration.pk}/").content.decode()
    assert declaration.number in page
    assert "8,000,000.00" in page


def test_each_step_saved_leads_to_the_next_and_a_draft_resumes_where_something_is_left(client, draft, applicant):
    client.force_login(applicant)
    response = client.post(steps_url(draft, "project"), PROJECT_POST)
    assert response["Location"] == steps_url(draft, "facts")
    response = client.post(steps_url(draft, "project"), PROJECT_POST | {"stay": ""})
    assert response["Location"] == steps_url(draft, "project")
    response = client.post(steps_url(draft, "project"), PROJECT_POST | {"goto": "commitment"})
    assert response["Location"] == steps_url(draft, "commitment")
    # The draft's facts are complete; its evidence is not.
    assert client.get(f"/applicant/declarations/{draft.pk}/edit/")["Location"] == steps_url(draft, "attachments")


def _programme(code):
    from declarations.models import Programme

    return Programme.objects.get(code=code).pk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("facts-investment_amount", "-1", "greater than or equal to 0"),
        ("facts-investment_amount", "eight million", "Enter a number."),
        ("facts-equity_ratio_after_pct", "150", "less than or equal to 100"),
        ("facts-investment_date", "2020-01-01", "cannot be earlier than the establishment"),
        ("facts-investee_established_on", "2023-13-45", "Enter a valid date."),
        ("facts-investee_established_on", "9998-01-01", "Enter a date from 1900-01-01 to 2099-12-31."),
        ("title", "", "This field is required."),
        ("title", "x" * 201, "at most 200 characters"),
    ],
)
def test_a_step_shows_the_error_at_the_field_and_keeps_what_was_saved(client, draft, applicant, field, value, message):
    saved = (dict(draft.facts), draft.title)
    client.force_login(applicant)
    step = "facts" if field.startswith("facts-") else "project"
    response = client.post(steps_url(draft, step), FACTS_POST | {field: value})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field.removeprefix("facts-")])
    draft.refresh_from_db()
    assert (draft.facts, draft.title) == saved


def test_submission_with_missing_facts_is_refused_with_their_names(client, applicant, open_call):
    declaration = DeclarationFactory(
        organisation=applicant.organisation, call=open_call, created_by=applicant, facts={}
    )
    client.force_login(applicant)
    response = client.post(f"/applicant/declarations/{declaration.pk}/submit/", {"confirmed": "yes"}, follow=True)
    assert "Actual investment amount (yuan)" in response.content.decode()
    declaration.refresh_from_db()
    assert (declaration.state, declaration.number) == (S.DRAFT, None)


def test_submission_outside_the_call_is_refused_with_its_dates(applicant):
    call = CallFactory(
        opens_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 9)),
        closes_at=timezone.make_aware(datetime.datetime(2026, 4, 30, 17)),
    )
    declaration = DeclarationFactory(organisation=applicant.organisation, call=call, created_by=applicant)
    complete_for_submission(declaration, applicant)
    beijing = ZoneInfo("Asia/Shanghai")
    with (
        time_machine.travel(datetime.datetime(2026, 3, 1, 8, 59, 59, tzinfo=beijing)),
        pytest.raises(TransitionRefused, match=r"not open yet.*2026-03-01 09:00 to 2026-04-30 17:00 \(Beijing time\)"),
    ):
        declaration_submit(declaration_id=declaration.pk, actor=applicant)
    with (
        time_machine.travel(datetime.datetime(2026, 4, 30, 17, 0, 1, tzinfo=beijing)),
        pytest.raises(TransitionRefused, match=r"closed.*2026-03-01 09:00 to 2026-04-30 17:00 \(Beijing time\)"),
    ):
        declaration_submit(declaration_id=declaration.pk, actor=applicant)
    with time_machine.travel(datetime.datetime(2026, 4, 30, 16, 59, tzinfo=beijing)):
        assert declaration_submit(declaration_id=declaration.pk, actor=applicant).state == S.SUBMITTED


def test_a_second_submit_click_changes_nothing_and_says_it_went_through(client, draft, applicant):
    complete_for_submission(draft, applicant)
    client.force_login(applicant)
    client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"})
    response = client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"}, follow=True)
    number = Declaration.objects.get(pk=draft.pk).number
    assert f"Declaration {number} was already submitted." in response.content.decode()
    assert Declaration.objects.get(pk=draft.pk).events.count() == 1


@pytest.mark.parametrize("step", ["organisation", "project", "facts", "attachments", "commitment", "review"])
def test_submitted_declaration_is_read_only(client, draft, applicant, step):
    complete_for_submission(draft, applicant)
    declaration_submit(declaration_id=draft.pk, actor=applicant)
    client.force_login(applicant)
    response = client.post(steps_url(draft, step), FACTS_POST | {"title": "Changed", "accept": "on"})
    assert response["Location"] == f"/applicant/declarations/{draft.pk}/"
    assert Declaration.objects.get(pk=draft.pk).title == draft.title
    assert client.get(steps_url(draft, step))["Location"] == f"/applicant/declarations/{draft.pk}/"


def test_users_of_one_organisation_share_its_declarations(client, draft, applicant):
    colleague = type(applicant).objects.create(username="colleague", organisation=applicant.organisation)
    client.force_login(colleague)
    assert client.get(f"/applicant/declarations/{draft.pk}/").context["declaration"] == draft


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/applicant/declarations/{pk}/"),
        ("get", "/applicant/declarations/{pk}/edit/"),
        ("post", "/applicant/declarations/{pk}/steps/facts/"),
        ("post", "/applicant/declarations/{pk}/submit/"),
        ("post", "/applicant/declarations/{pk}/withdraw/"),
    ],
)
def test_another_organisations_declaration_is_not_found(client, draft, other_applicant, method, path):
    client.force_login(other_applicant)
    response = getattr(client, method)(path.format(pk=draft.pk), FACTS_POST if method == "post" else None)
    assert response.status_code == 404
    assert Declaration.objects.get(pk=draft.pk).state == S.DRAFT


@pytest.mark.parametrize("role", ["staff", "reviewer", "finance", "administrator"])
@pytest.mark.parametrize("path", ["/applicant/", "/applicant/organisation/", "/applicant/declarations/new/"])
def test_applicant_pages_refuse_other_roles(client, request, role, path):
    client.force_login(request.getfixturevalue(role))
    assert client.get(path).status_code == 403


def test_applicant_pages_send_anonymous_users_to_login(client, draft):
    response = client.get(f"/applicant/declarations/{draft.pk}/")
    assert response["Location"].startswith("/accounts/login/")


def test_returned_declaration_shows_staff_comments_and_can_be_resubmitted(client, draft, applicant, staff):
    from review.services import declaration_return

    complete_for_submission(draft, applicant)
    declaration_submit(declaration_id=draft.pk, actor=applicant)
    declaration_return(declaration_id=draft.pk, actor=staff, note="Attach the payment proof.")
    client.force_login(applicant)
    assert "Attach the payment proof." in client.get(steps_url(draft, "facts")).content.decode()
    client.post(steps_url(draft, "project"), {"title": draft.title, "summary": "Seed round, with the payment proof."})
    # The change voided the commitment: the resubmission needs it signed again.
    refused = client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"}, follow=True)
    assert "please sign it again" in refused.content.decode()
    complete_for_submission(draft, applicant)
    client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"})
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (S.SUBMITTED, f"ZGC-{draft.call.year}-ART6-000001")
    assert [e.to_state for e in draft.events.all()] == [S.SUBMITTED, S.RETURNED, S.SUBMITTED]
    rounds = client.get(f"/applicant/declarations/{draft.pk}/").context["rounds"]
    assert [(r.number, r.returned.note if r.returned else None) for r in rounds] == [
        (1, "Attach the payment proof."),
        (2, None),
    ]
    assert rounds[1].changes == ("project summary",)


def test_organisation_profile_saves_and_validates(client, applicant):
    client.force_login(applicant)
    data = {
        "organisation_name": "Renamed Co.",
        "organisation_type": "enterprise",
        "district": "chaoyang",
        "registered_capital": "1,000,000",
        "established_on": "2018-01-01",
        "annual_revenue": "2000000",
        "legal_representative": "赵六",
    }
    bad = client.post("/applicant/organisation/", data | {"registered_capital": "-3"})
    assert "greater than or equal to 0" in str(bad.context["form"].errors["registered_capital"])
    client.post("/applicant/organisation/", data)
    applicant.organisation.refresh_from_db()
    assert (applicant.organisation.name, applicant.organisation.district) == ("Renamed Co.", "chaoyang")


def test_an_organisation_barred_after_a_recovery_cannot_declare(
    applicant, staff, reviewer, finance, second_finance, open_call
):
    from config.demo import Cast
    from declarations.models import Programme
    from declarations.services import declaration_create
    from tests.factories.states import build_to

    recovered = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    cast = Cast(applicant=applicant, staff=staff, reviewers=[reviewer], finance=finance, approver=second_finance)
    build_to(recovered, S.RECOVERED, cast=cast, through=[S.PAID])
    draft = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    complete_for_submission(draft, applicant)
    with pytest.raises(TransitionRefused, match="barred from applying until"):
        declaration_submit(declaration_id=draft.pk, actor=applicant)
    with pytest.raises(TransitionRefused, match=r"Art\. 21"):
        declaration_create(actor=applicant, call=open_call, programme=Programme.objects.get(code="ART6"), title="x")


def test_declaration_page_shows_the_award_cap_with_what_the_organisation_was_already_awarded(client, draft, applicant):
    DeclarationFactory(
        organisation=draft.organisation,
        call=draft.call,
        state=S.PAID,
        approved_amount=Decimal("4000000.00"),
    )
    client.force_login(applicant)

    content = client.get(f"/applicant/declarations/{draft.pk}/").content.decode()

    assert '<span class="amount" data-award-cap>1,000,000.00</span>' in content
    assert "5,000,000.00 less 4,000,000.00 already decided leaves 1,000,000.00" in content


def test_declaration_page_names_the_facts_the_award_cap_still_needs(client, draft, applicant):
    Declaration.objects.filter(pk=draft.pk).update(facts={})
    client.force_login(applicant)

    response = client.get(f"/applicant/declarations/{draft.pk}/")

    assert response.context["award"].missing[:2] == (
        "Registered capital of the investment institution (yuan)",
        "Invested enterprise established on",
    )
