"""The Art. 17 check of a unit (review.recheck): one function for submission, acceptance, the decision
and every payment, finding a credit record in force and a change of registration status in effect,
each named; and its form for many units at once in two queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from common.messages import message
from config.demo import Cast, complete_for_submission, meeting_opinion_record
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.services import SubmissionRefused, declaration_submit
from disbursement.services import declaration_stop
from review.acceptance import checklist_for
from review.models import CreditList, CreditRecord, Decision, UnitStatus, UnitStatusRecord
from review.recheck import (
    RecheckCause,
    RecheckFinding,
    recheck_bars,
    recheck_disqualification_note,
    recheck_stop_note,
    unit_recheck,
    unit_recheck_many,
)
from review.services import declaration_accept, declaration_approve, declaration_decide_per_opinion, declaration_reject
from tests.factories import DeclarationFactory, OrganisationFactory, StaffFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def unit(db):
    return OrganisationFactory()


def _credit(organisation, starts_on, ends_on=None, credit_list=CreditList.ENFORCEMENT, source="Credit China ref. 7"):
    return CreditRecord.objects.create(
        credit_code=organisation.credit_code,
        name=organisation.name,
        list=credit_list,
        starts_on=starts_on,
        ends_on=ends_on,
        source=source,
    )


def _status(organisation, status, effective_on, source="Beijing AMR notice 2026-31", by=None):
    return UnitStatusRecord.objects.create(
        credit_code=organisation.credit_code,
        name=organisation.name,
        status=status,
        effective_on=effective_on,
        source=source,
        recorded_by=by or StaffFactory(username="recorder"),
    )


# --- unit_recheck --------------------------------------------------------------------------------


def test_a_unit_with_no_record_passes(unit):
    assert unit_recheck(unit, on=TODAY) == []


def test_a_credit_record_in_force_is_found_and_named(unit):
    record = _credit(unit, starts_on=TODAY - 30 * DAY, ends_on=TODAY, credit_list=CreditList.SERIOUSLY_ILLEGAL)

    (finding,) = unit_recheck(unit, on=TODAY)

    assert (finding.cause, finding.record) == (RecheckCause.CREDIT, record)
    assert finding.message.in_language("en") == (
        "On a credit list: Seriously illegal and untrustworthy enterprise, May 16, 2026 to June 15, 2026, "
        "source: Credit China ref. 7"
    )
    assert finding.message.in_language("zh-hans") == (
        "列入信用名单：严重违法失信企业，2026年5月16日至2026年6月15日，来源：Credit China ref. 7"
    )


def test_a_credit_record_with_no_end_is_named_so(unit):
    _credit(unit, starts_on=TODAY - 30 * DAY)

    (finding,) = unit_recheck(unit, on=TODAY)

    assert finding.message.in_language("en") == (
        "On a credit list: Untrustworthy person subject to enforcement, May 16, 2026 to no end date, "
        "source: Credit China ref. 7"
    )
    assert "无截止日期" in finding.message.in_language("zh-hans")


def test_a_credit_record_that_ended_or_has_not_started_is_not_found(unit):
    _credit(unit, starts_on=TODAY - 30 * DAY, ends_on=TODAY - DAY)
    _credit(unit, starts_on=TODAY + DAY)

    assert unit_recheck(unit, on=TODAY) == []


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (UnitStatus.REVOKED, "Business licence revoked"),
        (UnitStatus.CANCELLED, "Registration cancelled"),
        (UnitStatus.MOVED_OUT, "Registered place moved out of Beijing"),
    ],
)
def test_each_change_of_registration_status_is_found_and_named(unit, status, label):
    record = _status(unit, status, effective_on=TODAY - 3 * DAY)

    assert unit_recheck(unit, on=TODAY) == [
        RecheckFinding(RecheckCause.STATUS, record, message("review.recheck.status", record=record.describe()))
    ]
    assert unit_recheck(unit, on=TODAY)[0].message.in_language("en") == (
        f"Registration status: {label}, effective June 12, 2026, source: Beijing AMR notice 2026-31"
    )


def test_a_status_counts_from_the_day_it_takes_effect_not_before(unit):
    record = _status(unit, UnitStatus.REVOKED, effective_on=TODAY)

    assert unit_recheck(unit, on=TODAY - DAY) == []
    assert [f.record for f in unit_recheck(unit, on=TODAY)] == [record]
    assert [f.record for f in unit_recheck(unit, on=TODAY + 400 * DAY)] == [record]


def test_the_day_defaults_to_today_in_beijing(unit):
    today = timezone.localdate()
    _status(unit, UnitStatus.CANCELLED, effective_on=today + DAY)
    record = _status(unit, UnitStatus.MOVED_OUT, effective_on=today)

    assert [f.record for f in unit_recheck(unit)] == [record]


def test_another_units_records_are_not_found(unit):
    other = OrganisationFactory()
    _credit(other, starts_on=TODAY - DAY)
    _status(other, UnitStatus.REVOKED, effective_on=TODAY - DAY)

    assert unit_recheck(unit, on=TODAY) == []


def test_credit_findings_come_first_then_statuses_each_in_the_order_they_took_effect(unit):
    late_status = _status(unit, UnitStatus.MOVED_OUT, effective_on=TODAY - DAY)
    early_status = _status(unit, UnitStatus.REVOKED, effective_on=TODAY - 9 * DAY)
    late_credit = _credit(unit, starts_on=TODAY - 2 * DAY)
    early_credit = _credit(unit, starts_on=TODAY - 20 * DAY, credit_list=CreditList.RESEARCH_DISHONESTY)

    findings = unit_recheck(unit, on=TODAY)

    assert [(f.cause, f.record) for f in findings] == [
        (RecheckCause.CREDIT, early_credit),
        (RecheckCause.CREDIT, late_credit),
        (RecheckCause.STATUS, early_status),
        (RecheckCause.STATUS, late_status),
    ]


def test_the_texts_are_read_in_the_readers_language_whatever_language_found_them(unit):
    _status(unit, UnitStatus.MOVED_OUT, effective_on=TODAY - DAY, source="北京市市场监督管理局")
    _credit(unit, starts_on=TODAY - DAY, credit_list=CreditList.ENFORCEMENT)

    with translation.override("en"):
        findings = unit_recheck(unit, on=TODAY)
        note = recheck_stop_note(findings)

    with translation.override("zh-hans"):
        assert "失信被执行人" in findings[0].text
        assert "注册地迁出北京市" in findings[1].text
        assert "北京市市场监督管理局" in findings[1].text
    assert "第十七条" in note.in_language("zh-hans")
    assert "Art. 17" in note.in_language("en")


# --- The notes that name the findings ------------------------------------------------------------


def test_the_stop_note_and_the_disqualification_note_name_every_record(unit):
    credit = _credit(unit, starts_on=TODAY - DAY, source="Credit China ref. 9")
    status = _status(unit, UnitStatus.CANCELLED, effective_on=TODAY - DAY, source="AMR cancellation 2026-5")
    findings = unit_recheck(unit, on=TODAY)

    with translation.override("en"):
        assert recheck_stop_note(findings) == (
            "Support stopped after the Art. 17 re-check before payment: "
            f"On a credit list: {credit.describe()}; Registration status: {status.describe()}."
        )
        assert recheck_disqualification_note(findings) == (
            f"Disqualified under Art. 17: On a credit list: {credit.describe()}; "
            f"Registration status: {status.describe()}."
        )
    with translation.override("zh-hans"):
        assert recheck_disqualification_note(findings) == (
            f"依据第十七条取消申报资格：列入信用名单：{credit.describe()}；登记状态：{status.describe()}。"
        )


def test_the_submission_bar_names_each_record(unit):
    today = timezone.localdate()
    status = _status(unit, UnitStatus.REVOKED, effective_on=today)

    assert recheck_bars(unit) == [
        f"Your organisation cannot declare (Art. 17). Registration status: {status.describe()}."
    ]


def test_an_applicant_whose_unit_was_revoked_cannot_submit_and_the_record_is_named(applicant, draft):
    complete_for_submission(draft, applicant)
    _status(applicant.organisation, UnitStatus.REVOKED, effective_on=timezone.localdate() - DAY, source="AMR 2026-8")

    with pytest.raises(SubmissionRefused) as refusal:
        declaration_submit(declaration_id=draft.pk, actor=applicant)

    assert "Business licence revoked" in str(refusal.value)
    assert "AMR 2026-8" in str(refusal.value)


# --- Many units at once --------------------------------------------------------------------------


def _units_with_records(count):
    units = OrganisationFactory.create_batch(count)
    for n, unit in enumerate(units):
        if n % 3 == 0:
            _credit(unit, starts_on=TODAY - DAY)
        if n % 2 == 0:
            _status(unit, UnitStatus.MOVED_OUT, effective_on=TODAY - DAY)
        _status(unit, UnitStatus.REVOKED, effective_on=TODAY + DAY)  # not yet in effect
    return units


@pytest.mark.parametrize("count", [3, 30])
def test_many_units_are_checked_in_two_queries_and_as_one_by_one(count):
    units = _units_with_records(count)

    with CaptureQueriesContext(connection) as queries:
        found = unit_recheck_many(units, on=TODAY)

    assert len(queries) == 2
    assert found == {unit.pk: unit_recheck(unit, on=TODAY) for unit in units}
    assert sum(bool(findings) for findings in found.values()) == len(
        [n for n in range(count) if n % 3 == 0 or n % 2 == 0]
    )


def test_no_units_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert unit_recheck_many([], on=TODAY) == {}


# --- At the decision and after it ---------------------------------------------------------------


def _at(state, cast):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant)
    return build_to(declaration, state, cast=cast)


@pytest.mark.parametrize("decide", ["approve", "reject", "per_opinion"])
def test_a_unit_moved_out_of_beijing_is_disqualified_at_the_decision_naming_the_record(staff, cast, decide):
    declaration = _at(S.REVIEWED, cast)
    meeting_opinion_record(declaration, cast, Decimal("1600000.00"))
    record = _status(declaration.organisation, UnitStatus.MOVED_OUT, timezone.localdate(), source="AMR move 2026-4")

    if decide == "approve":
        result = declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1000000.00"))
    elif decide == "reject":
        result = declaration_reject(declaration_id=declaration.pk, actor=staff, note="低于合格线。")
    else:
        result = declaration_decide_per_opinion(declaration_id=declaration.pk, actor=staff)

    assert result.state == S.DISQUALIFIED
    event = result.events.last()
    assert (event.action, event.note) == (
        A.DISQUALIFY,
        message("review.recheck.disqualified", records=[message("review.recheck.status", record=record.describe())]),
    )
    assert result.approved_amount is None
    assert not Decision.objects.filter(declaration=declaration).exists()


def test_a_revoked_unit_is_disqualified_at_acceptance(staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    record = _status(declaration.organisation, UnitStatus.REVOKED, timezone.localdate() - DAY)
    checklist = {item.key: True for item in checklist_for(declaration)}

    result = declaration_accept(declaration_id=declaration.pk, actor=staff, checklist=checklist)

    assert result.state == S.DISQUALIFIED
    assert str(record.describe()) in result.events.last().note
    check = result.acceptance_checks.get()
    assert check.note == result.events.last().note
    assert "第十七条" in check.note.in_language("zh-hans")


def test_a_status_not_yet_in_effect_does_not_disqualify_at_the_decision(staff, cast):
    declaration = _at(S.REVIEWED, cast)
    meeting_opinion_record(declaration, cast, Decimal("1600000.00"))
    _status(declaration.organisation, UnitStatus.CANCELLED, timezone.localdate() + DAY)

    result = declaration_approve(declaration_id=declaration.pk, actor=staff, amount=Decimal("1000000.00"))

    assert result.state == S.APPROVED


@pytest.mark.parametrize("cause", ["credit", "moved_out"])
def test_a_unit_listed_after_its_decision_fails_the_recheck_and_support_stops_with_that_reason(finance, cast, cause):
    """What the payment order asks before it is approved: the unit decided and confirmed, then put
    on the credit register or moved out of Beijing, is found, and the STOP transition takes the note."""
    declaration = _at(S.CONFIRMED, cast)
    assert unit_recheck(declaration.organisation) == []
    if cause == "credit":
        record = _credit(declaration.organisation, starts_on=timezone.localdate(), source="Credit China ref. 88")
    else:
        record = _status(declaration.organisation, UnitStatus.MOVED_OUT, timezone.localdate(), source="AMR 2026-99")

    findings = unit_recheck(declaration.organisation)
    stopped = declaration_stop(declaration_id=declaration.pk, actor=finance, note=recheck_stop_note(findings))

    assert [f.record for f in findings] == [record]
    assert stopped.state == S.STOPPED
    assert str(record.describe()) in stopped.events.last().note
    assert stopped.events.last().note == recheck_stop_note(findings)


# --- On the declaration's console page -----------------------------------------------------------


def test_the_console_page_shows_a_status_record_and_links_the_units_page(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    record = _status(declaration.organisation, UnitStatus.CANCELLED, timezone.localdate() - DAY)
    client.force_login(staff)

    response = client.get(f"/console/{declaration.pk}/")

    page = response.content.decode()
    assert [f.record for f in response.context["recheck_findings"]] == [record]
    assert str(record.describe()) in page
    assert f'href="/console/organisations/{declaration.organisation_id}/"' in page
