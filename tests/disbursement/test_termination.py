"""Terminating a project's execution (Art. 21): by commission staff, with a reason, from every state
where support stands decided, paid or not; nothing more is paid afterwards, what was paid can be
recovered, and a project in publicity leaves the list."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.workflow import DECIDED_STATES, TRANSITIONS, TransitionRefused
from disbursement.recovery import declaration_terminate, recovery_case_open
from disbursement.services import order_prepare
from notices.models import Notice
from publicity.selectors import public_state_label
from tests.disbursement.conftest import APPROVED

pytestmark = pytest.mark.django_db

REASON = "The first-round investment was found to have been feigned."
PAID_IN = {S.APPROVED: 0, S.IN_PUBLICITY: 0, S.CONFIRMED: 0, S.DISBURSING: APPROVED / 2, S.PAID: APPROVED}


def terminate(client, declaration, reason=REASON):
    return client.post(
        reverse("disbursement:terminate", args=[declaration.pk]), {"terminate-reason": reason, "confirmed": "yes"}
    )


def test_termination_is_possible_from_every_state_where_support_stands_decided():
    assert TRANSITIONS[A.TERMINATE].sources == set(DECIDED_STATES)
    assert set(DECIDED_STATES) == set(PAID_IN)
    assert (TRANSITIONS[A.TERMINATE].note_required, TRANSITIONS[A.TERMINATE].changes_history) == (True, True)


@pytest.mark.parametrize("state", list(PAID_IN))
def test_staff_terminate_the_project_and_nothing_more_is_paid(client, staff, finance, make_declaration, state):
    declaration = make_declaration(state)
    page = reverse("disbursement:declaration", args=[declaration.pk])
    client.force_login(staff)

    offered = client.get(page).context["terminate_form"]
    response = terminate(client, declaration)
    declaration.refresh_from_db()

    assert offered is not None
    assert (response.status_code, response.url) == (302, page)
    assert declaration.state == S.TERMINATED
    assert list(declaration.events.filter(action=A.TERMINATE).values_list("from_state", "actor", "note")) == [
        (state, staff.pk, REASON)
    ]
    # What was not paid never will be.
    assert declaration.cancelled_amount == APPROVED - PAID_IN[state]
    subjects = [str(notice.subject) for notice in Notice.objects.filter(declaration=declaration)]
    assert any("Project terminated" in subject for subject in subjects)
    with pytest.raises(TransitionRefused):
        order_prepare(declaration_id=declaration.pk, actor=finance, amount=Decimal("1.00"))


def test_a_project_terminated_in_publicity_leaves_the_list(staff, make_declaration):
    declaration = make_declaration(S.IN_PUBLICITY)
    entry = declaration.publicity_entries.get()

    declaration_terminate(declaration_id=declaration.pk, actor=staff, note=REASON)
    entry.refresh_from_db()
    batch = entry.batch
    batch.refresh_from_db()

    assert entry.withdrawn_at is not None
    assert batch.version == 2
    assert batch.versions.get(number=2).changelog == (
        f"No. {declaration.number} withdrawn: the commission terminated the project (Art. 21)."
    )
    assert public_state_label(S.TERMINATED, entry.withdrawn_at) == "Withdrawn"


@pytest.mark.parametrize("state", [S.REVIEWED, S.STOPPED, S.TERMINATED, S.RECOVERED, S.OBJECTION_UPHELD])
def test_termination_is_refused_where_support_does_not_stand(client, staff, make_declaration, state):
    declaration = make_declaration(state)
    client.force_login(staff)

    offered = client.get(reverse("disbursement:declaration", args=[declaration.pk])).context["terminate_form"]
    response = terminate(client, declaration)
    declaration.refresh_from_db()

    assert offered is None
    assert response.context["terminate_form"].non_field_errors() == [
        f"This cannot be done while the declaration is “{S(state).label}”."
    ]
    assert declaration.state == state


def test_termination_needs_a_reason_and_the_commission(client, staff, finance, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(staff)

    empty = terminate(client, declaration, reason="  ")
    client.force_login(finance)
    by_finance = terminate(client, declaration)
    page_for_finance = client.get(reverse("disbursement:declaration", args=[declaration.pk]))
    declaration.refresh_from_db()

    assert empty.context["terminate_form"].errors == {"reason": ["This field is required."]}
    assert by_finance.status_code == 403
    assert page_for_finance.context["terminate_form"] is None
    with pytest.raises(TransitionRefused, match="not allowed"):
        declaration_terminate(declaration_id=declaration.pk, actor=finance, note=REASON)
    assert declaration.state == S.DISBURSING


def test_what_was_paid_on_a_terminated_project_is_recovered(staff, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    declaration_terminate(declaration_id=declaration.pk, actor=staff, note=REASON)

    recovery_case_open(
        declaration_id=declaration.pk,
        actor=staff,
        amount_due=APPROVED / 2,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        reason=REASON,
    )
    declaration.refresh_from_db()

    assert declaration.state == S.RECOVERED
    assert list(declaration.events.values_list("to_state", flat=True))[-2:] == [S.TERMINATED, S.RECOVERED]
    assert (declaration.cancelled_amount, declaration.recovered_amount) == (APPROVED / 2, APPROVED / 2)
