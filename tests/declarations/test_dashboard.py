"""The applicant's dashboard: a page of declarations at a time, each drawn once, with what to do
next and the money; and the money on the declaration's page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.evidence import EVIDENCE
from declarations.models import DeclarationEvent
from declarations.programmes import PROGRAMMES, Kind
from declarations.selectors import DASHBOARD_PAGE_SIZE
from disbursement.models import Payment, RecoveryCase
from tests.factories import DeclarationFactory


def approved_with_money(applicant, call, staff, finance):
    """A declaration of `applicant`'s organisation approved for 1,000 yuan, paid 600 on two dates,
    with a recovery case of 250 due at the end of the year."""
    declaration = DeclarationFactory(
        organisation=applicant.organisation,
        call=call,
        created_by=applicant,
        state=S.DISBURSING,
        number="2026-ART6-0900",
        submitted_at=timezone.now(),
        award_cap=Decimal("1000.00"),
        approved_amount=Decimal("1000.00"),
    )
    for n, amount in enumerate([Decimal("400.00"), Decimal("200.00")]):
        Payment.objects.create(
            declaration=declaration,
            amount=amount,
            paid_on=datetime.date(2026, 6, 1 + n),
            reference=f"P-{n}",
            recorded_by=finance,
        )
    RecoveryCase.objects.create(
        declaration=declaration,
        number="R-1",
        reason="Evidence found forged.",
        amount_due=Decimal("250.00"),
        due_on=datetime.date(2026, 12, 31),
        opened_by=staff,
    )
    return declaration


@pytest.mark.parametrize("count", [3, 60])
def test_dashboard_query_count_is_the_same_for_3_and_60_declarations(
    client, applicant, staff, finance, open_call, count, django_assert_num_queries
):
    for declaration in DeclarationFactory.create_batch(
        count - 1, organisation=applicant.organisation, call=open_call, created_by=applicant
    ):
        DeclarationEvent.objects.create(
            declaration=declaration, action=A.SUBMIT, from_state=S.DRAFT, to_state=S.SUBMITTED
        )
    # The newest, on the first page: its payments and recoveries are read with the page's.
    approved_with_money(applicant, open_call, staff, finance)
    client.force_login(applicant)
    client.get("/applicant/")  # the first request's one-off reads are not the list's
    # Session and user (with the organisation), the unread count, the open calls (not their
    # programmes), the latest notices, the registers that may bar the unit (settings.DECLARATION_BARS:
    # credit, unit status, recovery bars); then the page: its count, its ids, their columns, events,
    # attachments, payments and recovery cases.
    with django_assert_num_queries(15):
        response = client.get("/applicant/")
    assert len(response.context["page"].object_list) == min(count, DASHBOARD_PAGE_SIZE)


def test_dashboard_pages_by_50_newest_first(client, applicant, open_call):
    declarations = DeclarationFactory.create_batch(
        DASHBOARD_PAGE_SIZE + 3, organisation=applicant.organisation, call=open_call, created_by=applicant
    )
    client.force_login(applicant)
    second = client.get("/applicant/?page=2")
    assert [row.declaration.pk for row in second.context["page"]] == sorted(d.pk for d in declarations)[:3][::-1]
    assert second.context["page"].paginator.num_pages == 2
    # A page number that is not one shows the first page, not an error.
    assert client.get("/applicant/?page=x").context["page"].number == 1


def test_dashboard_draws_each_declaration_once(client, applicant, open_call):
    declaration = DeclarationFactory(
        organisation=applicant.organisation, call=open_call, created_by=applicant, title="Quantum sensing round"
    )
    client.force_login(applicant)
    html = client.get("/applicant/").content.decode()
    assert html.count(f'href="/applicant/declarations/{declaration.pk}/"') == 1
    assert "table-stacked" in html


def test_dashboard_says_what_a_draft_still_needs_and_by_when(client, applicant, open_call):
    DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant, facts={})
    client.force_login(applicant)
    row = client.get("/applicant/").context["page"][0]
    assert row.next_step.action == "Complete and submit"
    assert row.next_step.due_at == open_call.closes_at
    facts = [str(f.label) for f in PROGRAMMES["ART6"].facts if f.required and f.kind != Kind.BOOLEAN]
    evidence = [str(e.label) for e in EVIDENCE["ART6"] if e.required]
    assert row.next_step.items == tuple(facts + evidence)


def test_dashboard_shows_the_correction_the_commission_asked_for(client, applicant, open_call):
    declaration = DeclarationFactory(
        organisation=applicant.organisation, call=open_call, created_by=applicant, state=S.RETURNED
    )
    DeclarationEvent.objects.create(
        declaration=declaration, action=A.RETURN, from_state=S.SUBMITTED, to_state=S.RETURNED, note="Attach the audit."
    )
    client.force_login(applicant)
    response = client.get("/applicant/")
    step = response.context["page"][0].next_step
    assert (step.action, step.note, step.due_at) == (
        "Make the corrections requested and submit again",
        "Attach the audit.",
        open_call.closes_at,
    )
    assert "The commission asks: Attach the audit." in response.content.decode()


def test_dashboard_shows_the_money_and_the_repayment_due(client, applicant, staff, finance, open_call):
    approved_with_money(applicant, open_call, staff, finance)
    client.force_login(applicant)
    response = client.get("/applicant/")
    row = response.context["page"][0]
    assert (row.money.approved, row.money.paid, row.money.balance, row.money.to_repay) == (
        Decimal("1000.00"),
        Decimal("600.00"),
        Decimal("400.00"),
        Decimal("250.00"),
    )
    assert (row.next_step.action, row.next_step.due_on, row.next_step.amount) == (
        "Repay the funds ordered recovered",
        datetime.date(2026, 12, 31),
        Decimal("250.00"),
    )
    html = response.content.decode()
    assert "600.00 / 1,000.00" in html
    assert "400.00 still to be paid" in html


def test_declaration_page_shows_payments_balance_and_recoveries(client, applicant, staff, finance, open_call):
    declaration = approved_with_money(applicant, open_call, staff, finance)
    client.force_login(applicant)
    response = client.get(f"/applicant/declarations/{declaration.pk}/")
    money = response.context["money"]
    assert [(p.paid_on, p.amount) for p in money.payments] == [
        (datetime.date(2026, 6, 1), Decimal("400.00")),
        (datetime.date(2026, 6, 2), Decimal("200.00")),
    ]
    assert [(r.due_on, r.amount_due, r.repaid, r.is_open) for r in money.recoveries] == [
        (datetime.date(2026, 12, 31), Decimal("250.00"), Decimal("0.00"), True)
    ]
    html = response.content.decode()
    assert "Support funds" in html
    assert "Still to be paid" in html


def test_declaration_page_shows_no_money_before_an_amount_is_approved(client, applicant, open_call):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
    client.force_login(applicant)
    response = client.get(f"/applicant/declarations/{declaration.pk}/")
    assert response.context["money"] is None
    assert "Support funds" not in response.content.decode()
