"""Recovery cases (Art. 21, 22): opened by staff on what was paid, repaid in parts recorded by
finance, referred for enforcement, flagged when overdue; the transition table of a case walked in
full; the bar from applying; a finding of dishonesty in the credit register; the console's list and
its exports."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.enums import Role
from config.settings import CELERY_BEAT_SCHEDULE
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from declarations.services import declaration_create, registers_barring
from declarations.workflow import TransitionRefused
from disbursement.enums import RecoveryCaseAction as CA
from disbursement.enums import RecoveryCaseState as CS
from disbursement.models import RecoveryCase, RecoveryCaseEvent, Repayment
from disbursement.recovery import declaration_terminate, recovery_case_open, recovery_case_refer, repayment_record
from disbursement.tasks import flag_overdue_recovery_cases
from disbursement.workflow import CASE_TRANSITIONS, recovery_case_transition
from notices.models import Notice
from notices.services import notice_text
from review.models import CreditList, CreditRecord
from review.recheck import unit_recheck
from tests.disbursement.conftest import APPROVED
from tests.factories import DeclarationFactory, FinanceFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "The investment evidence was forged."
# Every action on the money page acts only once confirmed (common.confirm).
CONFIRMED = {"confirmed": "yes"}


def open_case(declaration, staff, amount, *, due_in=30, barred_days=None, dishonest=False, reason=REASON):
    return recovery_case_open(
        declaration_id=declaration.pk,
        actor=staff,
        amount_due=Decimal(amount),
        due_on=TODAY + datetime.timedelta(days=due_in),
        reason=reason,
        barred_until=TODAY + datetime.timedelta(days=barred_days) if barred_days else None,
        dishonest=dishonest,
    )


def repay(case, finance, amount, reference="BANK-1", received_on=TODAY):
    return repayment_record(
        case_id=case.pk, actor=finance, amount=Decimal(amount), received_on=received_on, reference=reference
    )


def case_url(name, case):
    return reverse(name, args=[case.pk])


# --- A recovery recorded and repaid in two parts --------------------------------------------------


def test_a_recovery_is_recorded_and_repaid_in_two_parts(staff, finance, make_declaration):
    declaration = make_declaration(S.PAID)

    case = open_case(declaration, staff, "600000.00")
    first = repay(case, finance, "250000.00", "BANK-1")
    case.refresh_from_db()
    after_first = (case.state, case.repaid_amount, case.still_due)
    second = repay(case, finance, "350000.00", "BANK-2")
    case.refresh_from_db()
    declaration.refresh_from_db()

    assert after_first == (CS.PARTLY_REPAID, Decimal("250000.00"), Decimal("350000.00"))
    assert (case.state, case.repaid_amount, case.still_due) == (CS.REPAID, Decimal("600000.00"), Decimal("0.00"))
    assert [(r.amount, r.reference, r.recorded_by) for r in case.repayments.all()] == [
        (first.amount, "BANK-1", finance),
        (second.amount, "BANK-2", finance),
    ]
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in case.events.all()] == [
        (CA.OPEN, "", CS.OPEN, staff),
        (CA.REPAY, CS.OPEN, CS.PARTLY_REPAID, finance),
        (CA.SETTLE, CS.PARTLY_REPAID, CS.REPAID, finance),
    ]
    # The declaration was recovered by the case, and keeps what was not ordered recovered.
    assert (declaration.state, declaration.recovered_amount, declaration.cancelled_amount) == (
        S.RECOVERED,
        Decimal("600000.00"),
        Decimal("0.00"),
    )
    assert case.number == f"{declaration.number}-R1"


def test_the_money_page_opens_a_case_and_records_two_repayments(client, staff, finance, make_declaration):
    declaration = make_declaration(S.PAID)
    page = reverse("disbursement:declaration", args=[declaration.pk])
    due_on = (TODAY + datetime.timedelta(days=30)).isoformat()

    client.force_login(staff)
    opened = client.post(
        reverse("disbursement:recovery_case_create", args=[declaration.pk]),
        {"case-amount_due": "600,000.00", "case-due_on": due_on, "case-reason": REASON, "confirmed": "yes"},
    )
    case = RecoveryCase.objects.get(declaration=declaration)
    client.force_login(finance)
    shown = client.get(page)
    first = client.post(
        case_url("disbursement:repayment_create", case),
        {
            f"repayment-{case.pk}-amount": "250,000",
            f"repayment-{case.pk}-received_on": TODAY.isoformat(),
            f"repayment-{case.pk}-reference": "BANK-1",
            **CONFIRMED,
        },
    )
    second = client.post(
        case_url("disbursement:repayment_create", case),
        {
            f"repayment-{case.pk}-amount": "350,000.00",
            f"repayment-{case.pk}-received_on": TODAY.isoformat(),
            f"repayment-{case.pk}-reference": "BANK-2",
            **CONFIRMED,
        },
    )
    after = client.get(page)
    case.refresh_from_db()

    assert [(r.status_code, r.url) for r in (opened, first, second)] == [(302, page)] * 3
    assert [item.repayment_form is not None for item in shown.context["recovery_cases"]] == [True]
    assert (case.state, case.repaid_amount) == (CS.REPAID, Decimal("600000.00"))
    assert after.context["recovery_totals"] == {
        "due": Decimal("600000.00"),
        "repaid": Decimal("600000.00"),
        "left": Decimal("0.00"),
    }
    content = " ".join(after.content.decode().split())
    assert "Repaid in full" in content
    assert "250,000.00" in content and "350,000.00" in content and "BANK-2" in content
    assert [item.repayment_form for item in after.context["recovery_cases"]] == [None]


def test_a_second_case_adds_to_what_is_recovered_without_a_transition(staff, make_declaration):
    declaration = make_declaration(S.PAID)
    open_case(declaration, staff, "1000000.00")

    second = open_case(declaration, staff, "600000.00", reason="A second forged invoice.")
    declaration.refresh_from_db()

    assert second.number == f"{declaration.number}-R2"
    assert (declaration.state, declaration.recovered_amount) == (S.RECOVERED, APPROVED)
    assert list(declaration.events.filter(action=A.RECOVER).values_list("from_state", "to_state", "actor")) == [
        (S.PAID, S.RECOVERED, staff.pk),
        (S.RECOVERED, S.RECOVERED, staff.pk),
    ]
    assert "A second forged invoice." in declaration.events.filter(action=A.RECOVER).last().note


def test_the_cases_never_order_more_than_was_paid(staff, make_declaration):
    declaration = make_declaration(S.DISBURSING)  # 800,000.00 of 1,600,000.00 paid
    open_case(declaration, staff, "500000.00")

    with pytest.raises(TransitionRefused) as refused:
        open_case(declaration, staff, "300000.01")
    declaration.refresh_from_db()

    assert str(refused.value) == (
        "The amount to recover is more than the 300,000.00 yuan paid and not yet recovered "
        "(800,000.00 yuan paid, 500,000.00 yuan already to be recovered)."
    )
    assert refused.value.field == "amount_due"
    assert (declaration.recovered_amount, RecoveryCase.objects.filter(declaration=declaration).count()) == (
        Decimal("500000.00"),
        1,
    )


def test_a_repayment_never_exceeds_what_is_still_due(staff, finance, make_declaration):
    case = open_case(make_declaration(S.PAID), staff, "1000.00")
    repay(case, finance, "400.00")

    with pytest.raises(TransitionRefused, match=r"more than the 600\.00 yuan still due"):
        repay(case, finance, "600.01")
    case.refresh_from_db()

    assert (case.state, case.repaid_amount, case.repayments.count()) == (CS.PARTLY_REPAID, Decimal("400.00"), 1)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"amount": "0"}, {"amount": ["A repayment must be more than zero."]}),
        ({"amount": "1,000.01"}, {"amount": ["This repayment is more than the 1,000.00 yuan still due."]}),
        ({"amount": "x"}, {"amount": ["Enter a number."]}),
        (
            {"received_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            {"received_on": ["A repayment cannot be dated in the future."]},
        ),
        (
            {"received_on": (TODAY - datetime.timedelta(days=1)).isoformat()},
            {"received_on": [f"A repayment cannot be dated before the case was opened ({TODAY.isoformat()})."]},
        ),
        ({"reference": ""}, {"reference": ["This field is required."]}),
    ],
)
def test_a_wrong_repayment_is_refused_at_its_field(client, staff, finance, make_declaration, data, errors):
    case = open_case(make_declaration(S.PAID), staff, "1000.00")
    client.force_login(finance)
    valid = {"amount": "100", "received_on": TODAY.isoformat(), "reference": "BANK-1"}

    response = client.post(
        case_url("disbursement:repayment_create", case),
        {f"repayment-{case.pk}-{name}": value for name, value in (valid | data).items()} | CONFIRMED,
    )

    bound = [item.repayment_form for item in response.context["recovery_cases"]]
    assert response.status_code == 200
    assert bound[0].errors == errors
    assert Repayment.objects.filter(case=case).count() == 0


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"amount_due": "0"}, {"amount_due": ["The amount to recover must be more than zero."]}),
        (
            {"due_on": (TODAY - datetime.timedelta(days=1)).isoformat()},
            {"due_on": ["The repayment cannot be due before today."]},
        ),
        ({"due_on": "2026-02-30"}, {"due_on": ["Enter a valid date."]}),
        ({"reason": "  "}, {"reason": ["This field is required."]}),
        (
            {"dishonest": "on"},
            {
                "barred_until": [
                    "A finding of dishonesty needs the date until which the unit is barred (its discipline period)."
                ]
            },
        ),
    ],
)
def test_a_wrong_case_is_refused_at_its_field(client, staff, make_declaration, data, errors):
    declaration = make_declaration(S.PAID)
    client.force_login(staff)
    valid = {"amount_due": "1000", "due_on": TODAY.isoformat(), "reason": REASON}

    response = client.post(
        reverse("disbursement:recovery_case_create", args=[declaration.pk]),
        {f"case-{name}": value for name, value in (valid | data).items()} | CONFIRMED,
    )
    declaration.refresh_from_db()

    assert response.context["case_form"].errors == errors
    assert (declaration.state, declaration.recovery_cases.count()) == (S.PAID, 0)


def test_a_terminated_project_without_payments_has_nothing_to_recover(staff, make_declaration):
    declaration = make_declaration(S.TERMINATED)  # terminated while disbursing: half was paid
    nothing_paid = make_declaration(S.CONFIRMED)
    declaration_terminate(declaration_id=nothing_paid.pk, actor=staff, note="Feigned investment.")

    case = open_case(declaration, staff, "800000.00")
    with pytest.raises(TransitionRefused, match=r"more than the 0\.00 yuan paid"):
        open_case(nothing_paid, staff, "0.01")
    declaration.refresh_from_db()
    nothing_paid.refresh_from_db()

    assert (case.amount_due, declaration.state) == (Decimal("800000.00"), S.RECOVERED)
    assert nothing_paid.state == S.TERMINATED


# --- Referral for enforcement -----------------------------------------------------------------------


def test_a_case_referred_for_enforcement_collects_in_parts_until_repaid(staff, finance, make_declaration):
    case = open_case(make_declaration(S.PAID), staff, "1000.00")
    repay(case, finance, "100.00")

    recovery_case_refer(case_id=case.pk, actor=staff, note="No answer to two reminders; referred to the court.")
    repay(case, finance, "300.00", "COURT-1")
    case.refresh_from_db()
    collected = (case.state, case.repaid_amount)
    repay(case, finance, "600.00", "COURT-2")
    case.refresh_from_db()

    assert collected == (CS.REFERRED, Decimal("400.00"))
    assert (case.state, case.repaid_amount) == (CS.REPAID, Decimal("1000.00"))
    assert [e.action for e in case.events.all()] == [CA.OPEN, CA.REPAY, CA.REFER, CA.COLLECT, CA.SETTLE]


def test_referral_needs_a_reason_and_staff(client, staff, finance, make_declaration):
    case = open_case(make_declaration(S.PAID), staff, "1000.00")
    client.force_login(staff)

    empty = client.post(
        case_url("disbursement:recovery_case_refer", case), {f"refer-{case.pk}-reason": " "} | CONFIRMED
    )
    client.force_login(finance)
    by_finance = client.post(
        case_url("disbursement:recovery_case_refer", case), {f"refer-{case.pk}-reason": "x"} | CONFIRMED
    )
    case.refresh_from_db()

    refer_forms = [item.refer_form for item in empty.context["recovery_cases"]]
    assert refer_forms[0].errors == {"reason": ["This field is required."]}
    assert by_finance.status_code == 403
    assert case.state == CS.OPEN


# --- The case's transition table, walked in full ----------------------------------------------------

ROLE_FOR = {CA.REPAY: Role.FINANCE, CA.SETTLE: Role.FINANCE, CA.COLLECT: Role.FINANCE, CA.REFER: Role.STAFF}
PAIRS = [(action, state) for action in CASE_TRANSITIONS for state in CS]


def _case_in(state, opener):
    """Arranging only: a case set straight into `state`; the transition under test is real."""
    declaration = DeclarationFactory(state=S.RECOVERED, approved_amount=APPROVED, recovered_amount=Decimal("100.00"))
    case = RecoveryCase.objects.create(
        declaration=declaration,
        number=f"T-{declaration.pk}",
        reason=REASON,
        amount_due=Decimal("100.00"),
        due_on=TODAY,
        opened_by=opener,
    )
    RecoveryCase.objects.filter(pk=case.pk).update(state=state)
    return RecoveryCase.objects.get(pk=case.pk)


def test_the_case_table_names_every_repayment_and_referral():
    assert set(CASE_TRANSITIONS) | {CA.OPEN, CA.FLAG_OVERDUE} == set(CA)
    assert set(ROLE_FOR) == set(CASE_TRANSITIONS)


def test_docs_workflow_draws_the_case_table():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text(encoding="utf-8")
    drawn = {
        tuple(cell.strip().strip("`") for cell in line.strip("|").split("|"))
        for line in text.split("## Recovery cases", 1)[1].splitlines()
        if line.startswith("| `")
    }
    table = {
        (
            action.value,
            ", ".join(state.value for state in CS if state in transition.sources),
            transition.target.value,
            transition.permission,
            "yes" if transition.note_required else "no",
        )
        for action, transition in CASE_TRANSITIONS.items()
    }
    assert {(row[0].split("`")[0], *row[1:]) for row in drawn} == table


@pytest.mark.parametrize(("action", "state"), PAIRS, ids=[f"{a}-{s}" for a, s in PAIRS])
def test_recovery_case_transition_allows_exactly_the_table(action, state, staff, finance):
    people = {Role.STAFF: staff, Role.FINANCE: finance}
    transition = CASE_TRANSITIONS[action]
    case = _case_in(state, staff)
    actor = people[ROLE_FOR[action]]

    if state in transition.sources:
        result = recovery_case_transition(case_id=case.pk, action=action, actor=actor, note="Reason.")
        event = RecoveryCaseEvent.objects.get(case=case)
        assert result.state == transition.target
        assert (event.action, event.from_state, event.to_state, event.actor, event.note) == (
            action,
            state,
            transition.target,
            actor,
            "Reason.",
        )
    else:
        with pytest.raises(TransitionRefused, match="cannot be done while the recovery case"):
            recovery_case_transition(case_id=case.pk, action=action, actor=actor, note="Reason.")
        assert RecoveryCase.objects.get(pk=case.pk).state == state
        assert not RecoveryCaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize("action", list(CASE_TRANSITIONS))
def test_recovery_case_transition_refuses_every_other_role(action, applicant, staff, reviewer, finance, administrator):
    transition = CASE_TRANSITIONS[action]
    source = sorted(transition.sources)[0]
    people = {
        Role.APPLICANT: applicant,
        Role.STAFF: staff,
        Role.REVIEWER: reviewer,
        Role.FINANCE: finance,
        Role.ADMIN: administrator,
    }
    for role, actor in [*people.items(), (None, None)]:
        if role == ROLE_FOR[action]:
            continue
        case = _case_in(source, staff)
        with pytest.raises(TransitionRefused, match="not allowed"):
            recovery_case_transition(case_id=case.pk, action=action, actor=actor, note="Reason.")
        assert RecoveryCase.objects.get(pk=case.pk).state == source


def test_only_staff_open_a_case_and_only_finance_records_a_repayment(
    applicant, staff, reviewer, finance, administrator, make_declaration
):
    declaration = make_declaration(S.PAID)
    for actor in (applicant, reviewer, finance, administrator, None):
        with pytest.raises(TransitionRefused, match=r"not allowed|Only a person"):
            open_case(declaration, actor, "100.00")
    case = open_case(declaration, staff, "100.00")
    for actor in (applicant, reviewer, staff, administrator, None):
        with pytest.raises(TransitionRefused, match="not allowed"):
            repay(case, actor, "10.00")

    assert (RecoveryCase.objects.filter(declaration=declaration).count(), case.repayments.count()) == (1, 0)


# --- Overdue ---------------------------------------------------------------------------------------


def test_beat_flags_overdue_cases_with_its_named_task():
    entry = CELERY_BEAT_SCHEDULE["flag-overdue-recovery-cases"]
    assert entry["task"] == flag_overdue_recovery_cases.name == "disbursement.tasks.flag_overdue_recovery_cases"


def test_an_unpaid_case_is_flagged_overdue_the_day_after_its_due_date_and_staff_and_finance_are_told(
    applicant, staff, finance, second_finance, make_declaration
):
    declaration = make_declaration(S.PAID)
    due = open_case(declaration, staff, "1000.00", due_in=10)
    repay(due, finance, "400.00")
    repaid = open_case(declaration, staff, "200.00", due_in=10)
    repay(repaid, finance, "200.00")
    later = open_case(declaration, staff, "300.00", due_in=20)
    other_finance = FinanceFactory(username="finance-zh", language="zh-hans")
    StaffFactory(username="staff-gone", is_active=False)

    with time_machine.travel(TODAY + datetime.timedelta(days=10, hours=12), tick=False):
        on_due_day = flag_overdue_recovery_cases.delay().get()
    with time_machine.travel(TODAY + datetime.timedelta(days=11, hours=1), tick=False):
        flagged = flag_overdue_recovery_cases.delay().get()
        again = flag_overdue_recovery_cases.delay().get()
    due.refresh_from_db()
    later.refresh_from_db()
    repaid.refresh_from_db()

    assert (on_due_day, flagged, again) == (0, 1, 0)
    assert due.overdue_since == TODAY + datetime.timedelta(days=11)
    assert (due.is_overdue, later.overdue_since, repaid.overdue_since) == (True, None, None)
    assert list(due.events.filter(action=CA.FLAG_OVERDUE).values_list("actor", "from_state", "to_state")) == [
        (None, CS.PARTLY_REPAID, CS.PARTLY_REPAID)
    ]
    notices = {n.recipient.username: n for n in Notice.objects.filter(subject__contains=due.number)}
    assert set(notices) == {staff.username, finance.username, second_finance.username, other_finance.username}
    assert notices[finance.username].subject == f"Recovery case {due.number} is overdue"
    assert "600.00 yuan of the 1,000.00 yuan to recover is still due" in notices[finance.username].body
    assert notice_text(notices[other_finance.username])[0] == f"追回案件{due.number}已逾期"
    assert applicant.notices.filter(subject__contains="overdue").count() == 0


def test_a_referred_case_is_not_flagged_overdue(staff, make_declaration):
    case = open_case(make_declaration(S.PAID), staff, "1000.00", due_in=0)
    recovery_case_refer(case_id=case.pk, actor=staff, note="Referred at once.")

    with time_machine.travel(TODAY + datetime.timedelta(days=5), tick=False):
        flagged = flag_overdue_recovery_cases.delay().get()

    assert flagged == 0


# --- The bar from applying and the finding of dishonesty --------------------------------------------


def test_the_bar_is_shown_before_the_applicant_starts_and_ends_with_its_date(
    client, applicant, staff, make_declaration, open_call
):
    declaration = make_declaration(S.PAID)
    open_case(declaration, staff, "100.00", barred_days=365)
    until = (TODAY + datetime.timedelta(days=365)).isoformat()
    client.force_login(applicant)

    dashboard = client.get(reverse("declarations:dashboard"))
    new = client.get(reverse("declarations:new"))
    message = f"Your organisation is barred from applying until {until} after funds were recovered (Art. 21)."

    assert dashboard.context["bars"] == [message] and message in dashboard.content.decode()
    assert reverse("declarations:new") not in dashboard.content.decode()
    assert message in new.content.decode() and 'name="title"' not in new.content.decode()
    with pytest.raises(TransitionRefused, match="barred from applying until"):
        declaration_create(actor=applicant, call=open_call, programme=declaration.programme, title="Another")
    with time_machine.travel(TODAY + datetime.timedelta(days=366), tick=False):
        assert registers_barring(applicant.organisation) == []


def test_a_finding_of_dishonesty_goes_into_the_credit_register_for_later_checks(staff, make_declaration):
    declaration = make_declaration(S.PAID)

    case = open_case(declaration, staff, "100.00", barred_days=730, dishonest=True)
    record = CreditRecord.objects.get()

    assert case.credit_record == record
    assert (record.credit_code, record.list, record.starts_on, record.ends_on) == (
        declaration.organisation.credit_code,
        CreditList.RESEARCH_DISHONESTY,
        TODAY,
        TODAY + datetime.timedelta(days=730),
    )
    # Read in the reader's language, whoever recorded it and in whichever language.
    with translation.override("en"):
        assert str(record.source) == f"Recovery case {case.number}: dishonesty found by the commission (Art. 22)"
    with translation.override("zh-hans"):
        assert case.number in str(record.source) and "第二十二条" in str(record.source)
        assert "dishonesty" not in str(record.source)
    assert [finding.record for finding in unit_recheck(declaration.organisation)] == [record]
    assert any("Art. 17" in text for text in registers_barring(declaration.organisation))


def test_a_refused_case_leaves_nothing_behind(staff, make_declaration):
    declaration = make_declaration(S.PAID)
    counts = (RecoveryCase.objects.count(), CreditRecord.objects.count(), DeclarationEvent.objects.count())

    with pytest.raises(TransitionRefused):
        open_case(declaration, staff, "1600000.01", barred_days=365, dishonest=True)
    declaration.refresh_from_db()

    assert (RecoveryCase.objects.count(), CreditRecord.objects.count(), DeclarationEvent.objects.count()) == counts
    assert (declaration.state, declaration.recovered_amount) == (S.PAID, Decimal("0.00"))


# --- The console's list of recovery cases and its exports ------------------------------------------


@pytest.fixture
def cases(staff, finance, make_declaration):
    """Four cases, one in each state, on two paid declarations."""
    first, second = make_declaration(S.PAID), make_declaration(S.PAID)
    opened = open_case(first, staff, "1000.00", reason='=HYPERLINK("http://x")')
    partly = open_case(first, staff, "2000.00", due_in=1, barred_days=365, dishonest=True)
    repay(partly, finance, "500.00")
    repaid = open_case(second, staff, "3000.00")
    repay(repaid, finance, "3000.00")
    referred = open_case(second, staff, "4000.00")
    recovery_case_refer(case_id=referred.pk, actor=staff, note="Referred.")
    return {CS.OPEN: opened, CS.PARTLY_REPAID: partly, CS.REPAID: repaid, CS.REFERRED: referred}


def listed(response):
    return [case.number for case in response.context["page"].object_list]


def test_the_console_lists_the_cases_by_state_and_overdue(client, staff, finance, cases):
    client.force_login(finance)
    url = reverse("disbursement:recovery_cases")

    everything = client.get(url)
    referred = client.get(url, {"state": CS.REFERRED})
    with time_machine.travel(TODAY + datetime.timedelta(days=2, hours=1), tick=False):
        flag_overdue_recovery_cases()
    overdue = client.get(url, {"overdue": "on"})
    unknown = client.get(url, {"state": "nonsense"})
    client.force_login(staff)
    by_staff = client.get(url)

    assert sorted(listed(everything)) == sorted(case.number for case in cases.values())
    assert everything.context["totals"] == {
        "due": Decimal("10000.00"),
        "repaid": Decimal("3500.00"),
        "left": Decimal("6500.00"),
    }
    assert listed(referred) == [cases[CS.REFERRED].number]
    assert listed(overdue) == [cases[CS.PARTLY_REPAID].number]
    assert "Overdue" in overdue.content.decode()
    assert sorted(listed(unknown)) == sorted(listed(everything))
    assert by_staff.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_the_console_list_query_count_does_not_grow(
    client, finance, staff, make_declaration, count, django_assert_max_num_queries
):
    declaration = make_declaration(S.PAID)
    for n in range(count):
        open_case(declaration, staff, "100.00", reason=f"Case {n}")
    client.force_login(finance)

    # session, user, the count, the page of cases with their declarations, the totals, unread notices.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("disbursement:recovery_cases"))

    assert len(response.context["page"].object_list) == min(count, 25)


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_cases_export_as_csv_and_xlsx_with_formulas_neutralised(client, finance, cases):
    client.force_login(finance)

    rows = _csv(client.get(reverse("disbursement:recovery_cases_export", args=["csv"]), {"state": CS.OPEN}))
    xlsx = client.get(reverse("disbursement:recovery_cases_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = list(sheet.values)

    assert rows[0][:3] == ["Case number", "Declaration number", "Organisation"]
    assert len(rows) == 2 and rows[1][0] == cases[CS.OPEN].number
    assert rows[1][-1] == '\'=HYPERLINK("http://x")'
    assert len(values) == 5
    amounts = {row[0]: (row[6], row[7], row[8]) for row in values[1:]}
    assert amounts[cases[CS.PARTLY_REPAID].number] == (2000, 500, 1500)


def test_the_findings_of_dishonesty_export_for_social_credit_reporting(client, staff, cases):
    client.force_login(staff)
    case = cases[CS.PARTLY_REPAID]
    organisation = case.declaration.organisation

    rows = _csv(client.get(reverse("disbursement:dishonesty_findings_export", args=["csv"])))
    xlsx = client.get(reverse("disbursement:dishonesty_findings_export", args=["xlsx"]))
    values = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.values)

    assert rows == [
        [
            "Unit name",
            "Unified social credit code",
            "Finding",
            "Date of the finding",
            "Amount to recover (yuan)",
            "Case number",
            "Basis",
        ],
        [
            organisation.name,
            organisation.credit_code,
            REASON,
            TODAY.isoformat(),
            "2000.00",
            case.number,
            "Art. 22 of Jingkefa [2022] No. 6",
        ],
    ]
    assert len(values) == 2 and values[1][4] == 2000


def test_an_unknown_export_format_is_not_found(client, finance):
    client.force_login(finance)
    assert client.get(reverse("disbursement:recovery_cases_export", args=["pdf"])).status_code == 404
    assert client.get(reverse("disbursement:dishonesty_findings_export", args=["doc"])).status_code == 404


def test_applicants_and_reviewers_see_no_recovery_case(client, applicant, reviewer, cases):
    for user in (applicant, reviewer):
        client.force_login(user)
        statuses = [
            client.get(reverse("disbursement:recovery_cases")).status_code,
            client.get(reverse("disbursement:recovery_cases_export", args=["csv"])).status_code,
            client.get(reverse("disbursement:dishonesty_findings_export", args=["csv"])).status_code,
        ]
        assert statuses == [403, 403, 403]


# --- Any input: a message at the field, never a server error -------------------------------------

wild = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        ["", "0", "-1", "1e400", "NaN", "9" * 40, "\uff11\uff12\uff13", "2026-02-30", "10000-01-01", "<b>", "=1+1"]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(datetime.date.isoformat),
)


@given(
    case_data=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(("amount_due", "due_on", "reason", "barred_until", "dishonest"), wild)
    ),
    repayment_data=st.fixed_dictionaries({}, optional=dict.fromkeys(("amount", "received_on", "reference"), wild)),
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_recovery_forms_never_fail_on_any_input(client, staff, finance, paid_with_case, case_data, repayment_data):
    declaration, case = paid_with_case
    client.force_login(staff)
    opened = client.post(
        reverse("disbursement:recovery_case_create", args=[declaration.pk]),
        {f"case-{name}": value for name, value in case_data.items()} | CONFIRMED,
    )
    client.force_login(finance)
    repaid = client.post(
        case_url("disbursement:repayment_create", case),
        {f"repayment-{case.pk}-{name}": value for name, value in repayment_data.items()} | CONFIRMED,
    )

    assert opened.status_code in (200, 302) and repaid.status_code in (200, 302)
    declaration = Declaration.objects.get(pk=declaration.pk)
    case.refresh_from_db()
    assert declaration.recovered_amount <= APPROVED
    assert case.repaid_amount <= case.amount_due


@pytest.fixture
def paid_with_case(staff, make_declaration):
    declaration = make_declaration(S.PAID)
    return declaration, open_case(declaration, staff, "1.00")
