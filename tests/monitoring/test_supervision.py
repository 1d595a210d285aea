"""Supervision (Art. 20): staff record an inspection, the unit answers the rectification on its
declaration's page, staff close it; an unanswered rectification past its date is flagged on the
declaration's page and in the list's overdue filter; every change in history."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from monitoring.enums import InspectionAction, InspectionState
from monitoring.models import Inspection, InspectionEvent
from monitoring.supervision import inspection_close, inspection_record, rectification_answer
from monitoring.workflow import INSPECTION_TRANSITIONS, inspection_transition
from tests.factories import DeclarationFactory
from tests.monitoring.conftest import TODAY

pytestmark = pytest.mark.django_db


def _inspect(declaration, staff, *, due_in=10, held_ago=5):
    return inspection_record(
        declaration_id=declaration.pk,
        actor=staff,
        kind="on_site",
        held_on=TODAY - datetime.timedelta(days=held_ago),
        findings="Support funds not kept in a separate account.",
        rectification_required=due_in is not None,
        rectification_due_on=TODAY + datetime.timedelta(days=due_in) if due_in is not None else None,
    )


def test_an_inspection_is_answered_by_the_unit_and_closed_by_staff(client, funded, staff, applicant):
    client.force_login(staff)
    created = client.post(
        reverse("monitoring:inspection_create", args=[funded.pk]),
        {
            "kind": "audit",
            "held_on": TODAY.isoformat(),
            "findings": "Earmarking not kept.",
            "rectification_required": "on",
            "rectification_due_on": (TODAY + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert created.status_code == 302
    inspection = Inspection.objects.get(declaration=funded)
    with time_machine.travel(TODAY + datetime.timedelta(days=5), tick=False):
        client.force_login(staff)
        page = client.get(reverse("review:declaration", args=[funded.pk])).content.decode()
        assert "Rectification overdue" in page
        client.force_login(applicant)
        mine = client.get(reverse("declarations:detail", args=[funded.pk])).content.decode()
        assert "Rectification overdue" in mine
        answered = client.post(
            reverse("monitoring:inspection_answer", args=[inspection.pk]),
            {"answer-answer": "A separate account opened."},
        )
    assert answered.url == reverse("declarations:detail", args=[funded.pk])
    inspection.refresh_from_db()
    assert (inspection.state, inspection.rectification_answer) == (
        InspectionState.ANSWERED,
        "A separate account opened.",
    )
    client.force_login(staff)
    client.post(
        reverse("monitoring:inspection_close", args=[inspection.pk]), {"close-note": "Checked.", "confirmed": "yes"}
    )
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.CLOSED
    assert list(
        InspectionEvent.objects.filter(inspection=inspection).order_by("pk").values_list("action", flat=True)
    ) == [
        "record",
        "answer",
        "close",
    ]
    assert inspection.history.count() == 3


def test_another_unit_cannot_answer_and_a_reviewer_cannot_record(client, funded, staff, other_applicant, reviewer):
    inspection = _inspect(funded, staff)
    client.force_login(other_applicant)
    assert (
        client.post(reverse("monitoring:inspection_answer", args=[inspection.pk]), {"answer-answer": "x"}).status_code
        == 404
    )
    client.force_login(reviewer)
    assert client.get(reverse("monitoring:inspection_create", args=[funded.pk])).status_code == 403
    assert (
        client.post(reverse("monitoring:inspection_answer", args=[inspection.pk]), {"answer-answer": "x"}).status_code
        == 403
    )
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.OPEN


def test_the_inspection_form_gives_its_errors_at_the_field(client, funded, staff):
    client.force_login(staff)
    response = client.post(
        reverse("monitoring:inspection_create", args=[funded.pk]),
        {
            "kind": "audit",
            "held_on": (TODAY + datetime.timedelta(days=1)).isoformat(),
            "findings": "",
            "rectification_required": "on",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "held_on": ["This date cannot be after today."],
        "findings": ["This field is required."],
        "rectification_due_on": ["Give the date by which the unit must rectify."],
    }
    assert not Inspection.objects.exists()


def test_an_unsupported_project_is_not_inspected(staff, applicant, open_call):
    declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call)
    Declaration.objects.filter(pk=declaration.pk).update(state=S.SUBMITTED)
    with pytest.raises(TransitionRefused, match="Only a supported project is inspected"):
        _inspect(declaration, staff)


def test_the_inspection_transition_table_is_walked_in_full(funded, staff):
    inspection = _inspect(funded, staff)
    for state in InspectionState:
        for action, transition in INSPECTION_TRANSITIONS.items():
            Inspection.objects.filter(pk=inspection.pk).update(state=state)
            if state in transition.sources:
                done = inspection_transition(inspection_id=inspection.pk, action=action, actor=staff, note="n")
                assert done.state == transition.target
            else:
                with pytest.raises(TransitionRefused, match="This cannot be done while the inspection is"):
                    inspection_transition(inspection_id=inspection.pk, action=action, actor=staff, note="n")
    assert InspectionAction.RECORD not in INSPECTION_TRANSITIONS


def test_an_empty_answer_is_refused(funded, staff, applicant):
    inspection = _inspect(funded, staff)
    with pytest.raises(TransitionRefused, match="Please give the answer"):
        rectification_answer(inspection_id=inspection.pk, actor=applicant, answer="  ")
    inspection_close(inspection_id=inspection.pk, actor=staff)


@pytest.mark.parametrize("count", [3, 30])
def test_the_overdue_list_query_count_does_not_grow(
    client, make_declaration, staff, count, django_assert_max_num_queries
):
    funded = make_declaration(S.PAID)
    for n in range(count):
        _inspect(funded, staff, due_in=n % 2)  # 0: due today (not yet overdue), 1: tomorrow
    with time_machine.travel(TODAY + datetime.timedelta(days=1, hours=12), tick=False):
        client.force_login(staff)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("monitoring:inspections") + "?overdue=on")
        everything = client.get(reverse("monitoring:inspections"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(25, (count + 1) // 2)
    assert everything.context["page"].paginator.count == count


def test_docs_workflow_draws_the_report_and_inspection_tables():
    from pathlib import Path

    from monitoring.enums import InspectionState, ReportState
    from monitoring.workflow import REPORT_TRANSITIONS

    text = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text(encoding="utf-8")
    section = text.split("## Performance reports and inspections", 1)[1].split("\n## ", 1)[0]
    drawn = {
        tuple(cell.strip().strip("`") for cell in line.strip("|").split("|"))
        for line in section.splitlines()
        if line.startswith("| `")
    }
    table = {
        (
            action.value,
            ", ".join(s.value for s in states if s in t.sources),
            t.target.value,
            t.permission,
            "yes" if t.note_required else "no",
        )
        for transitions, states in ((REPORT_TRANSITIONS, ReportState), (INSPECTION_TRANSITIONS, InspectionState))
        for action, t in transitions.items()
    }
    assert {(row[0].split("`")[0], *row[1:]) for row in drawn} == table


def test_closing_an_inspection_asks_first_then_closes(client, funded, staff):
    inspection = _inspect(funded, staff)
    url = reverse("monitoring:inspection_close", args=[inspection.pk])
    client.force_login(staff)

    pending = client.post(url, {"close-note": "Checked on site."})
    inspection.refresh_from_db()
    after_first = (inspection.state, inspection.events.count())
    client.post(url, {"close-note": "Checked on site.", "confirmed": "yes"})
    inspection.refresh_from_db()

    content = pending.content.decode()
    assert "The inspection is closed: nothing (more) is to be rectified, and it cannot be reopened." in content
    assert "The unit has not answered the rectification yet: it no longer can." in content
    assert after_first == (InspectionState.OPEN, 1)
    assert inspection.state == InspectionState.CLOSED


def test_closing_an_inspection_closed_already_says_why_without_asking(client, funded, staff):
    inspection = _inspect(funded, staff)
    inspection_close(inspection_id=inspection.pk, actor=staff)
    client.force_login(staff)

    response = client.post(reverse("monitoring:inspection_close", args=[inspection.pk]), {"close-note": ""})

    assert "This cannot be done while the inspection is" in response.content.decode()
    assert "What will happen" not in response.content.decode()
