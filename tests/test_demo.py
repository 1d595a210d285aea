import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.utils import translation

from accounts.models import User
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Organisation, Programme
from notices.models import Notice
from tests.factories import totp_code

DEMO_USERS = {
    "applicant1": "applicant",
    "applicant2": "applicant",
    "applicant3": "applicant",
    "staff": "staff",
    "reviewer1": "reviewer",
    "reviewer2": "reviewer",
    "finance": "finance",
    "finance2": "finance",
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

    # What `make run` prints last: the address it serves and every login, in English.
    printed = io.StringIO()
    call_command("demo_logins", address="http://127.0.0.1:8100/", stdout=printed)
    lines = printed.getvalue().splitlines()
    assert lines[:2] == [
        "The site: http://127.0.0.1:8100/",
        "Sign in at http://127.0.0.1:8100/accounts/login/ with the password demo-pass-2026 as:",
    ]
    assert [line.split()[0] for line in lines[2:11]] == list(DEMO_USERS)
    assert "  staff       Commission staff" in lines


@pytest.mark.django_db
def test_demo_logins_says_when_the_site_does_not_answer():
    from django.core.management.base import CommandError

    message = re.escape("Nothing answered at http://127.0.0.1:9/healthz/ within 0.5 seconds.")
    with pytest.raises(CommandError, match=message):
        call_command("demo_logins", address="http://127.0.0.1:9/", wait=0.5, stdout=io.StringIO())


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
def test_demo_summaries_are_in_chinese_like_their_titles():
    """`make run` loads the demo in whatever language is active; the demo's projects read in Chinese,
    their summaries too, with no English word in them."""
    with translation.override("en"):
        call_command("load_demo", stdout=io.StringIO())
    summaries = list(Declaration.objects.values_list("summary", flat=True))
    assert summaries
    assert [s for s in summaries if re.search(r"[A-Za-z]{2,}", s)] == []
    paid = Declaration.objects.get(state=S.PAID)
    with translation.override("zh-hans"):
        assert f"状态为“{S.PAID.label}”" in paid.summary


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
def test_demo_has_an_order_waiting_for_finance2_and_one_blocked_by_the_re_check():
    from disbursement.models import PaymentOrder, PaymentOrderState

    call_command("load_demo", stdout=io.StringIO())
    waiting = PaymentOrder.objects.filter(state=PaymentOrderState.PREPARED).select_related("prepared_by")
    blocked = [order for order in waiting if order.rechecks.filter(passed=False).exists()]
    clear = [order for order in waiting if not order.rechecks.exists()]

    assert {order.prepared_by.username for order in waiting} == {"finance"}
    assert len(blocked) == 1 and len(clear) == 1
    # applicant3's unit was found dishonest (Art. 22) after its decision: the credit register has it.
    assert blocked[0].declaration.organisation.users.get().username == "applicant3"
    assert [f["cause"] for f in blocked[0].rechecks.get().findings] == ["credit"]
    assert PaymentOrder.objects.filter(state=PaymentOrderState.PAID, decided_by__username="finance2").exists()


@pytest.mark.django_db
def test_the_demo_has_a_unit_moved_out_of_beijing_that_the_art_17_check_finds():
    from config.management.commands.load_demo import MOVED_AWAY
    from review.models import UnitStatus
    from review.recheck import unit_recheck

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())

    moved = Organisation.objects.get(credit_code=MOVED_AWAY["credit_code"])
    findings = unit_recheck(moved)
    assert [(f.record.status, f.record.recorded_by.username) for f in findings] == [(UnitStatus.MOVED_OUT, "staff")]
    assert not moved.declarations.exists()
    # The units of the demo's walk pass the check.
    for username in ("applicant1", "applicant2"):
        assert unit_recheck(User.objects.get(username=username).organisation) == []


@pytest.mark.django_db
def test_the_demo_has_this_years_budget_for_every_programme_with_its_decisions_inside():
    from review.budgets import budget_position
    from review.models import Budget

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    year = Call.objects.get().year
    admin = User.objects.get(username="admin")
    budgets = Budget.objects.filter(year=year).select_related("programme")
    assert {b.programme for b in budgets} == set(Programme.objects.all())
    assert {b.set_by for b in budgets} == {admin}
    positions = {b.programme.code: budget_position(b.programme, year) for b in budgets}
    assert all(p.left >= 0 for p in positions.values())
    # What the demo decided is committed, with room left; ART9's budget was adjusted once.
    assert positions["ART6"].committed > 0 and positions["ART9"].committed > 0
    assert [v.amount for v in budgets.get(programme__code="ART9").history.order_by("history_id")] == [
        Decimal("400000.00"),
        Decimal("500000.00"),
    ]


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


@pytest.mark.django_db
def test_the_demo_staff_sign_in_with_the_published_totp_key_through_both_forms(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert "ZGCDEMOTOTPSECRETZGCDEMO" in printed
    assert "otpauth://totp/" in printed and "secret=ZGCDEMOTOTPSECRETZGCDEMO" in printed
    staff_side = {name for name, role in DEMO_USERS.items() if role != "applicant"}
    enrolled = set(Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list("user__username", flat=True))
    assert enrolled == staff_side

    response = client.post("/accounts/login/", {"login": "staff", "password": "demo-pass-2026"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    form = client.get("/accounts/2fa/authenticate/")
    assert b'name="code"' in form.content
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code("ZGCDEMOTOTPSECRETZGCDEMO")})
    assert response["Location"] == "/console/home/"
    assert client.get("/console/home/").status_code == 200
