"""The evaluation in a real browser: an expert reviewer scores an assigned declaration on its
programme's rubric (blind until submitted), the evaluation meeting proposes the support scheme, and
staff decide it within the award cap. Screenshots of each page are saved."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from review.evaluation import assignment_score, programme_rubric
from review.models import Decision
from tests.browser.conftest import login
from tests.factories import PASSWORD, DeclarationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "First-round investment in a photonic chip maker"


@pytest.fixture
def under_review(applicant, staff, reviewer, second_reviewer, finance):
    """Created before the browser starts (see tests/browser/conftest.py): a declaration under
    evaluation whose second reviewer has submitted already."""
    cast = Cast(applicant=applicant, staff=staff, reviewers=[reviewer, second_reviewer], finance=finance)
    declaration = build_to(
        DeclarationFactory(organisation=applicant.organisation, created_by=applicant, title=TITLE),
        S.UNDER_REVIEW,
        cast=cast,
    )
    criteria = programme_rubric(declaration.programme_id).criteria.all()
    other = declaration.review_assignments.get(reviewer=second_reviewer)
    assignment_score(
        assignment_id=other.pk,
        actor=second_reviewer,
        scores={c.pk: c.max_score * Decimal("0.9") for c in criteria},
        opinion="Strong team; the investment is a genuine first round.",
        submit=True,
    )
    return declaration


def test_a_reviewer_scores_an_assigned_declaration_and_staff_decide_it(
    under_review, reviewer, staff, browser, page, live_server, output_dir
):
    # The reviewer finds the declaration in their queue and scores it; the other opinion stays hidden.
    login(page, live_server, reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/console/")
    expect(page.get_by_role("heading", name="My evaluations")).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Strong team")).to_have_count(0)
    inputs = page.locator("input[name^='evaluation-criterion_']")
    for index in range(inputs.count()):
        field = inputs.nth(index)
        field.fill(str(int(Decimal(field.get_attribute("max")) * Decimal("0.8"))))
    page.locator("textarea[name='evaluation-opinion']").fill("Sound investment in a Zhongguancun high-tech field.")
    page.screenshot(path=str(output_dir / "reviewer-scores.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit evaluation").click()
    expect(page.get_by_role("heading", name="Submit your evaluation")).to_be_visible()
    page.screenshot(path=str(output_dir / "reviewer-confirms.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#confirmation button[type=submit]").click()
    expect(page.get_by_text("Evaluation submitted.")).to_be_visible()
    expect(page.get_by_text("Strong team")).to_be_visible()
    page.screenshot(path=str(output_dir / "reviewer-submitted.png"), full_page=True)
    assert Declaration.objects.get(pk=under_review.pk).state == S.REVIEWED

    # Staff record the evaluation meeting and its opinion, then decide at the proposed amount.
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    login(staff_page, live_server, staff.username, PASSWORD)
    staff_page.goto(f"{live_server.url}/console/meetings/new/?call={under_review.call_id}")
    staff_page.get_by_label("Held on").fill(timezone.localdate().isoformat())
    staff_page.get_by_label("Place").fill("301会议室")
    staff_page.get_by_label(str(staff)).check()
    staff_page.get_by_label(str(reviewer)).check()
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Record the meeting").click()
    staff_page.locator("select[name='opinion-declaration']").select_option(str(under_review.pk))
    staff_page.get_by_label("Support", exact=True).check()
    staff_page.locator("input[name='opinion-proposed_amount']").fill("1,200,000.00")
    staff_page.locator("textarea[name='opinion-opinion']").fill("Supported: both evaluations pass.")
    with staff_page.expect_navigation():
        staff_page.locator("form:has(select[name='opinion-declaration']) button[type=submit]").click()
    expect(staff_page.get_by_text("Supported: both evaluations pass.")).to_be_visible()
    staff_page.screenshot(path=str(output_dir / "evaluation-meeting.png"), full_page=True)

    staff_page.goto(f"{live_server.url}/console/{under_review.pk}/")
    amount = staff_page.locator("input[name='approve-amount']")
    expect(amount).to_have_value("1,200,000.00")
    staff_page.screenshot(path=str(output_dir / "staff-decides.png"), full_page=True)
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Approve support").click()
    expect(staff_page.locator("#confirmation")).to_contain_text("1,200,000.00")
    staff_page.screenshot(path=str(output_dir / "staff-confirms-decision.png"), full_page=True)
    with staff_page.expect_navigation():
        staff_page.locator("#confirmation button[type=submit]").click()
    expect(staff_page.get_by_text("Support approved.")).to_be_visible()
    staff_page.screenshot(path=str(output_dir / "staff-decided.png"), full_page=True)

    declaration = Declaration.objects.get(pk=under_review.pk)
    assert (declaration.state, declaration.approved_amount) == (S.APPROVED, Decimal("1200000.00"))
    decision = Decision.objects.get(declaration=declaration)
    assert decision.opinion.opinion == "Supported: both evaluations pass."
    assert decision.evaluations.count() == 2
