"""One declaration from draft to paid, driven through the pages with the Django test client,
every step served by the real service functions; the audit trail holds every transition."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from notices.models import Notice
from publicity.calendar import covered_years
from publicity.calendar_services import calendar_holiday_add, calendar_year_complete
from publicity.tasks import close_due_publicity_batches
from review.acceptance import checklist_for
from review.evaluation import programme_rubric
from review.models import EvaluationMeeting
from tests.declarations.test_applicant_site import fill_in


@pytest.fixture
def next_year_entered(administrator):
    """The administrator has entered next year's working days, as in a real December (from late
    December a publicity period reaches the next year, which is refused until it is entered)."""
    year = timezone.localdate().year + 1
    if not covered_years(datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        new_year = datetime.date(year, 1, 1)
        calendar_holiday_add(
            actor=administrator, year=year, name="New Year's Day", first_day=new_year, last_day=new_year
        )
        calendar_year_complete(actor=administrator, year=year)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_declaration_goes_from_draft_to_paid_through_every_state(
    client, applicant, staff, reviewer, second_reviewer, finance, second_finance, open_call, next_year_entered
):
    # The applicant creates, fills in and submits the declaration.
    client.force_login(applicant)
    client.post(
        "/applicant/declarations/new/",
        {"call": open_call.pk, "programme": Programme.objects.get(code="ART6").pk, "title": "Photonic chips"},
    )
    declaration = Declaration.objects.get(title="Photonic chips")
    assert declaration.state == S.DRAFT
    fill_in(client, declaration, title="Photonic chips")
    client.post(f"/applicant/declarations/{declaration.pk}/submit/", {"confirmed": "yes"})

    # Staff accept it and assign two expert reviewers.
    client.force_login(staff)
    client.post(
        f"/console/{declaration.pk}/",
        {
            "action": "acceptance",
            "confirmed": "yes",
            "acceptance-checklist": [item.key for item in checklist_for(declaration)],
            "acceptance-note": "形式审查通过。",
            "acceptance-outcome": "accept",
        },
    )
    client.post(
        f"/console/{declaration.pk}/",
        {"action": "assign", "assign-reviewers": [reviewer.pk, second_reviewer.pk], "confirmed": "yes"},
    )

    # Each reviewer scores it on the programme's rubric; the last submission completes the evaluation.
    criteria = programme_rubric(declaration.programme_id).criteria.all()
    for expert, share in [(reviewer, Decimal("0.8")), (second_reviewer, Decimal("0.9"))]:
        client.force_login(expert)
        scores = {
            f"evaluation-criterion_{c.pk}": str((c.max_score * share).quantize(Decimal("0.01"))) for c in criteria
        }
        client.post(
            f"/console/{declaration.pk}/evaluation/",
            {**scores, "evaluation-opinion": "Meets Art. 6.", "submit": "", "confirmed": "yes"},
        )
    declaration.refresh_from_db()
    assert declaration.state == S.REVIEWED

    # The evaluation meeting proposes the support scheme; staff decide the amount and publicise it.
    client.force_login(staff)
    client.post(
        "/console/meetings/new/",
        {
            "call": open_call.pk,
            "held_on": timezone.localdate().isoformat(),
            "place": "301会议室",
            "members": [staff.pk, reviewer.pk, second_reviewer.pk],
        },
    )
    meeting = EvaluationMeeting.objects.get()
    client.post(
        f"/console/meetings/{meeting.pk}/opinions/",
        {
            "opinion-declaration": declaration.pk,
            "opinion-opinion": "Supported at the cap.",
            "opinion-scheme": "support",
            "opinion-proposed_amount": "1,600,000.00",
        },
    )
    client.post(
        f"/console/{declaration.pk}/", {"action": "approve", "confirmed": "yes", "approve-amount": "1,600,000.00"}
    )
    client.post(
        f"/publicity/console/open/?call={open_call.pk}",
        {"declarations": [declaration.pk], "title": "2026 first batch", "confirmed": "yes"},
    )
    declaration.refresh_from_db()
    assert declaration.state == S.IN_PUBLICITY

    # The public board lists it without login.
    client.logout()
    board = client.get("/publicity/").content.decode()
    assert "Photonic chips" in board
    assert "1,600,000.00" in board

    # The periodic task confirms it after the 5th working day.
    ends_on = declaration.publicity_entries.get().batch.ends_on
    later = datetime.datetime.combine(
        ends_on + datetime.timedelta(days=1), datetime.time(9), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    traveller = time_machine.travel(later)
    traveller.start()
    close_due_publicity_batches.delay()  # eager in tests: runs in process

    # Finance records the unit's account and a plan of two tranches; each tranche's order is
    # prepared by one finance officer, approved by the other after the Art. 17 re-check, and paid.
    client.force_login(finance)
    client.post(
        f"/disbursement/organisations/{declaration.organisation_id}/bank-account/",
        {
            "account_name": declaration.organisation.name,
            "bank_name": "北京银行中关村分行",
            "account_number": "6222 0202 0011 2233 445",
        },
    )
    client.post(
        f"/disbursement/{declaration.pk}/plan/",
        {
            "plan-TOTAL_FORMS": "2",
            "plan-INITIAL_FORMS": "0",
            "plan-0-amount": "600,000.00",
            "plan-1-amount": "1,000,000.00",
        },
    )
    for tranche, reference in [(1, "CZ-2026-001"), (2, "CZ-2026-002")]:
        client.force_login(finance)
        client.post(f"/disbursement/{declaration.pk}/orders/", {"order-tranche": str(tranche)})
        order = declaration.orders.get(tranche__number=tranche)
        client.force_login(second_finance)
        client.post(f"/disbursement/orders/{order.pk}/approve/", {"confirmed": "yes"})
        client.force_login(finance)
        client.post(
            f"/disbursement/orders/{order.pk}/paid/",
            {
                "confirmed": "yes",
                f"mark_paid-{order.pk}-voucher_number": reference,
                f"mark_paid-{order.pk}-paid_on": timezone.localdate().isoformat(),
            },
        )
    assert list(declaration.payments.values_list("amount", "reference")) == [
        (Decimal("600000.00"), "CZ-2026-001"),
        (Decimal("1000000.00"), "CZ-2026-002"),
    ]

    traveller.stop()
    declaration.refresh_from_db()
    assert (declaration.state, declaration.approved_amount) == (S.PAID, Decimal("1600000.00"))
    trail = [(e.action, e.from_state, e.to_state, e.actor) for e in declaration.events.all()]
    assert trail == [
        (A.SUBMIT, S.DRAFT, S.SUBMITTED, applicant),
        (A.ACCEPT, S.SUBMITTED, S.ACCEPTED, staff),
        (A.START_REVIEW, S.ACCEPTED, S.UNDER_REVIEW, staff),
        (A.COMPLETE_REVIEW, S.UNDER_REVIEW, S.REVIEWED, second_reviewer),
        (A.APPROVE, S.REVIEWED, S.APPROVED, staff),
        (A.PUBLICISE, S.APPROVED, S.IN_PUBLICITY, staff),
        (A.CONFIRM, S.IN_PUBLICITY, S.CONFIRMED, None),
        (A.START_DISBURSEMENT, S.CONFIRMED, S.DISBURSING, finance),
        (A.COMPLETE_PAYMENT, S.DISBURSING, S.PAID, finance),
    ]
    # The applicant was told of every step they may see, in the inbox and by e-mail.
    subjects = list(Notice.objects.filter(recipient=applicant).values_list("subject", flat=True))
    assert len(subjects) == 7
    assert sum(applicant.email in m.to for m in mail.outbox) == 7
    client.force_login(applicant)
    assert "Funds paid" in client.get(f"/applicant/declarations/{declaration.pk}/").content.decode()
