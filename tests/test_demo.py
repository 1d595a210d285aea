import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.models import User
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Organisation
from notices.models import Notice

DEMO_USERS = {
    "applicant1": "applicant",
    "applicant2": "applicant",
    "applicant3": "applicant",
    "staff": "staff",
    "reviewer1": "reviewer",
    "reviewer2": "reviewer",
    "finance": "finance",
    "admin": "admin",
}


def _counts():
    return [m.objects.count() for m in (User, Organisation, Call, Declaration, DeclarationEvent, Notice)]


@pytest.mark.django_db
def test_load_demo_creates_every_state_and_is_idempotent(client):
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first

    assert set(Declaration.objects.values_list("state", flat=True)) == set(S)
    assert {u.username: u.role for u in User.objects.all()} == DEMO_USERS
    applicant1, applicant2 = User.objects.get(username="applicant1"), User.objects.get(username="applicant2")
    assert applicant1.organisation != applicant2.organisation
    # Only applicant3's organisation is barred after the recoveries, so the others' drafts can be submitted.
    barred = {d.organisation for d in Declaration.objects.filter(state=S.RECOVERED)}
    assert barred == {User.objects.get(username="applicant3").organisation}
    draft = Declaration.objects.get(state=S.DRAFT)
    assert draft.organisation == applicant1.organisation
    assert User.objects.get(username="admin").is_superuser
    for username in DEMO_USERS:
        assert client.login(username=username, password="demo-pass-2026"), username


@pytest.mark.django_db
def test_demo_declarations_carry_their_whole_audit_trail():
    call_command("load_demo", stdout=io.StringIO())
    paid = Declaration.objects.get(state=S.PAID)
    assert [e.to_state for e in paid.events.all()] == [
        S.SUBMITTED,
        S.ACCEPTED,
        S.UNDER_REVIEW,
        S.REVIEWED,
        S.APPROVED,
        S.IN_PUBLICITY,
        S.CONFIRMED,
        S.DISBURSING,
        S.PAID,
    ]


@pytest.mark.django_db
def test_the_demo_draft_can_be_completed_and_submitted_by_applicant1():
    from config.demo import complete_for_submission
    from declarations.services import declaration_submission_problems, declaration_submit

    call_command("load_demo", stdout=io.StringIO())
    applicant1 = User.objects.get(username="applicant1")
    draft = Declaration.objects.get(state=S.DRAFT)
    complete_for_submission(draft, applicant1)

    assert declaration_submission_problems(draft) == []
    assert declaration_submit(declaration_id=draft.pk, actor=applicant1).number


@pytest.mark.django_db
def test_demo_summaries_are_in_english_like_their_titles():
    """`make run` loads the demo in the default language, Chinese; a summary must not mix a Chinese
    state label into its English."""
    with translation.override("zh-hans"):
        call_command("load_demo", stdout=io.StringIO())
    summaries = list(Declaration.objects.values_list("summary", flat=True))
    assert summaries
    assert not [s for s in summaries if any("\u4e00" <= c <= "\u9fff" for c in s)]
    paid = Declaration.objects.get(state=S.PAID)
    assert "in the state “Paid in full”" in paid.summary


def test_demo_publicity_has_a_batch_running_today_a_corrected_one_a_closed_one_and_every_objection_state(db):
    from django.utils import timezone

    from publicity.models import Objection, ObjectionState, PublicityBatch

    call_command("load_demo", stdout=io.StringIO())

    today = timezone.localdate()
    running = PublicityBatch.objects.get(closed_at__isnull=True)
    assert running.starts_on <= today <= running.ends_on
    assert running.versions.count() == 2
    closed = PublicityBatch.objects.get(closed_at__isnull=False)
    assert closed.entries.filter(declaration__state__in=["confirmed", "disbursing", "paid", "stopped", "recovered"])
    assert set(Objection.objects.values_list("state", flat=True)) == set(ObjectionState)


@pytest.mark.django_db
def test_the_demo_loads_in_late_december_before_next_years_working_days_are_entered():
    import time_machine

    from publicity.models import PublicityBatch

    with time_machine.travel(datetime.datetime(2026, 12, 29, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        call_command("load_demo", stdout=io.StringIO())

    running = PublicityBatch.objects.get(closed_at__isnull=True)
    assert running.starts_on <= datetime.date(2026, 12, 29) <= running.ends_on


@pytest.mark.django_db
def test_the_demo_has_a_recovery_case_in_each_state_and_a_terminated_project():
    from disbursement.enums import RecoveryCaseState
    from disbursement.models import RecoveryCase
    from review.models import CreditRecord

    call_command("load_demo", stdout=io.StringIO())

    cases = {case.state: case for case in RecoveryCase.objects.all()}
    assert set(cases) == set(RecoveryCaseState)
    assert cases[RecoveryCaseState.PARTLY_REPAID].repayments.count() == 1
    assert cases[RecoveryCaseState.REPAID].repayments.count() == 2
    assert cases[RecoveryCaseState.REFERRED].dishonest
    applicant3 = User.objects.get(username="applicant3").organisation
    assert CreditRecord.objects.filter(credit_code=applicant3.credit_code).count() == 1
    terminated = Declaration.objects.get(state=S.TERMINATED)
    assert terminated.cancelled_amount == terminated.approved_amount / 2
