"""Submission: every check the applicant sees at once, the credit lists of Art. 17, and one number
for two submissions at the same moment."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from config.demo import complete_for_submission
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, DeclarationNumberSequence, Programme
from declarations.services import SubmissionRefused, declaration_submission_problems, declaration_submit
from review.models import CreditList, CreditRecord
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _listed(organisation, **fields):
    return CreditRecord.objects.create(
        credit_code=organisation.credit_code,
        name=organisation.name,
        list=fields.pop("list", CreditList.ENFORCEMENT),
        starts_on=fields.pop("starts_on", timezone.localdate() - datetime.timedelta(days=30)),
        source=fields.pop("source", "Credit China (2026) No. 17"),
        **fields,
    )


def test_every_problem_is_listed_at_once_with_the_step_that_fixes_it(applicant, open_call):
    declaration = DeclarationFactory(
        organisation=applicant.organisation,
        call=open_call,
        created_by=applicant,
        facts={"investment_amount": "8000000.00"},
    )
    _listed(applicant.organisation)

    with pytest.raises(SubmissionRefused) as refusal:
        declaration_submit(declaration_id=declaration.pk, actor=applicant)

    steps = [problem.step for problem in refusal.value.problems]
    assert steps == ["organisation", "facts", "attachments", "commitment"]
    texts = " ".join(problem.text for problem in refusal.value.problems)
    assert "Registered capital of the investment institution (yuan)" in texts
    assert "Investment agreement" in texts and "Payment proof" in texts
    assert "Please sign the good-faith commitment letter (Art. 19)." in texts
    declaration.refresh_from_db()
    assert (declaration.state, declaration.number) == (S.DRAFT, None)
    assert not DeclarationEvent.objects.filter(declaration=declaration).exists()


def test_the_review_step_and_the_refused_submission_show_the_problems_to_the_applicant(client, draft, applicant):
    client.force_login(applicant)

    response = client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/applicant/declarations/{draft.pk}/steps/review/"
    content = response.content.decode()
    assert "The declaration was not submitted." in content
    assert "Please attach this evidence:" in content
    assert f'href="/applicant/declarations/{draft.pk}/steps/attachments/"' in content


def test_a_failed_threshold_refuses_submission_with_the_reason(applicant, draft):
    Declaration.objects.filter(pk=draft.pk).update(facts=draft.facts | {"equity_ratio_after_pct": "51"})
    complete_for_submission(draft, applicant)

    with pytest.raises(SubmissionRefused, match=r"Not eligible: Art\. 6 \(2\) 3: Equity ratio after the investment"):
        declaration_submit(declaration_id=draft.pk, actor=applicant)


@pytest.mark.parametrize("credit_list", list(CreditList))
def test_an_organisation_on_a_credit_list_cannot_submit_and_the_record_is_named(applicant, draft, credit_list):
    complete_for_submission(draft, applicant)
    _listed(applicant.organisation, list=credit_list, source="Credit China ref. 42")

    with pytest.raises(SubmissionRefused) as refusal:
        declaration_submit(declaration_id=draft.pk, actor=applicant)

    assert "credit list" in str(refusal.value)
    assert str(credit_list.label) in str(refusal.value)
    assert "Credit China ref. 42" in str(refusal.value)


def test_a_credit_record_out_of_its_period_or_of_another_code_does_not_count(applicant, other_applicant, draft):
    complete_for_submission(draft, applicant)
    today = timezone.localdate()
    _listed(
        applicant.organisation, starts_on=today - datetime.timedelta(days=400), ends_on=today - datetime.timedelta(1)
    )
    _listed(applicant.organisation, starts_on=today + datetime.timedelta(days=1))
    _listed(other_applicant.organisation)

    assert declaration_submission_problems(draft) == []
    assert declaration_submit(declaration_id=draft.pk, actor=applicant).state == S.SUBMITTED


def test_precheck_estimates_the_award_for_the_facts_as_typed_without_saving_them(client, draft, applicant):
    from tests.declarations.test_applicant_site import FACTS_POST

    client.force_login(applicant)
    typed = {k: v for k, v in FACTS_POST.items() if k.startswith("facts-")} | {"facts-investment_amount": "6,000,000"}

    response = client.post(f"/applicant/declarations/{draft.pk}/precheck/", typed)

    assert '<span class="amount" data-award-cap>1,200,000.00</span>' in response.content.decode()
    draft.refresh_from_db()
    assert draft.facts["investment_amount"] == "8000000.00"


def test_precheck_names_what_it_still_needs_when_a_typed_fact_is_wrong(client, draft, applicant):
    client.force_login(applicant)

    response = client.post(f"/applicant/declarations/{draft.pk}/precheck/", {"facts-investment_amount": "lots"})

    assert response.status_code == 200
    assert "Actual investment amount (yuan)" in response.context["award"].missing


def _submitted_at_once(applicant, declarations):
    """Each of `declarations` submitted from a tab of its own, all at the same moment: the statuses."""
    barrier = threading.Barrier(len(declarations))
    statuses = []

    def submit_from_a_tab(declaration):
        tab = Client()
        tab.force_login(applicant)
        try:
            barrier.wait(timeout=10)
            statuses.append(
                tab.post(f"/applicant/declarations/{declaration.pk}/submit/", {"confirmed": "yes"}).status_code
            )
        finally:
            connection.close()

    tabs = [threading.Thread(target=submit_from_a_tab, args=(declaration,)) for declaration in declarations]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=30)
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_at_the_same_moment_make_one_submitted_declaration_with_one_number(applicant, open_call):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    complete_for_submission(declaration, applicant)
    statuses = _submitted_at_once(applicant, [declaration, declaration])

    assert statuses == [302, 302]
    declaration.refresh_from_db()
    assert declaration.state == S.SUBMITTED
    assert declaration.number == f"ZGC-{open_call.year}-ART6-000001"
    assert Declaration.objects.filter(organisation=applicant.organisation).count() == 1
    assert declaration.events.filter(to_state=S.SUBMITTED).count() == 1
    assert DeclarationNumberSequence.objects.get(year=open_call.year, programme_code="ART6").last == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_declarations_of_one_programme_submitted_at_the_same_moment_get_consecutive_numbers(applicant, open_call):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    declarations = [
        DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant) for _ in range(4)
    ]
    for declaration in declarations:
        complete_for_submission(declaration, applicant)
    statuses = _submitted_at_once(applicant, declarations)

    assert statuses == [302] * 4
    numbers = sorted(Declaration.objects.filter(pk__in=[d.pk for d in declarations]).values_list("number", flat=True))
    assert numbers == [f"ZGC-{open_call.year}-ART6-{n:06d}" for n in range(1, 5)]
    assert DeclarationNumberSequence.objects.get(year=open_call.year, programme_code="ART6").last == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_submission_does_not_wait_for_a_lock_on_its_call_or_programme(applicant, open_call):
    """Only the declaration's row is locked by a transition: before, its call's and programme's rows
    were locked with it, so every change to any declaration of a call waited for every other."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    complete_for_submission(declaration, applicant)
    held, done, outcome = threading.Event(), threading.Event(), []

    def hold_the_call_and_programme():
        try:
            with transaction.atomic():
                Call.objects.select_for_update().get(pk=open_call.pk)
                Programme.objects.select_for_update().get(pk=declaration.programme_id)
                held.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_call_and_programme)
    holder.start()
    try:
        assert held.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            outcome.append(declaration_submit(declaration_id=declaration.pk, actor=applicant).state)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        done.set()
        holder.join(timeout=30)

    assert outcome == [S.SUBMITTED]
