"""Performance management (Art. 18) beyond the walk: who may do what (403 for a role without the
permission, 404 for another organisation's report), errors at the field, the transition table
walked, the staff's list at a fixed query count, and the queue's flag of a past fail."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.programmes import PROGRAMMES
from declarations.workflow import TransitionRefused
from monitoring.enums import PerformanceGrade, ReportAction, ReportState
from monitoring.models import PerformanceReport
from monitoring.performance import PerformanceRefused, report_evaluate, report_return, report_save, report_submit
from monitoring.performance_defaults import DEFAULT_INDICATORS, default_indicators
from monitoring.workflow import REPORT_TRANSITIONS, report_transition
from tests.factories import DeclarationFactory
from tests.monitoring.conftest import TODAY, plan
from tests.review.test_queue import _declaration, _listed

pytestmark = pytest.mark.django_db


def _submitted(funded, staff, applicant):
    report = plan(funded, staff, mid_in=None)[0]
    values = {i.pk: Decimal("1") for i in funded.performance_indicators.all()}
    report_save(report_id=report.pk, actor=applicant, values=values, narrative="Done.")
    return report_submit(report_id=report.pk, actor=applicant)


def test_every_programme_has_default_indicators():
    assert set(DEFAULT_INDICATORS) == set(PROGRAMMES)
    assert all(DEFAULT_INDICATORS.values())


@pytest.mark.parametrize("offered_in", ["zh-hans", "en"])
def test_a_default_indicator_set_in_either_language_reads_in_the_readers_and_a_typed_one_as_typed(
    funded, staff, offered_in
):
    """The plan form offers the defaults in the staff member's language; saved as offered, each is
    stored by its key, so the unit reading in the other language reads it in its own."""
    with translation.override(offered_in):
        offered = [
            {"name": str(d.name), "unit": str(d.unit), "baseline": Decimal("0"), "target": Decimal("1")}
            for d in default_indicators("ART8")
        ]
    typed = {"name": "自定义：新增授信企业", "unit": "户", "baseline": Decimal("0"), "target": Decimal("1")}
    plan(funded, staff, indicators=[*offered, typed])

    first, second, own = funded.performance_indicators.order_by("position")
    assert (first.name.in_language("en"), first.unit.in_language("en")) == (
        "First credit guarantee loans granted to technology enterprises",
        "10,000 yuan",
    )
    assert (first.name.in_language("zh-hans"), second.unit.in_language("zh-hans")) == (
        _zh(default_indicators("ART8")[0].name),
        "家",
    )
    assert (own.name, own.unit) == ("自定义：新增授信企业", "户")


def _zh(text):
    with translation.override("zh-hans"):
        return str(text)


def test_another_organisation_gets_404_and_a_reviewer_403(client, funded, staff, applicant, other_applicant, reviewer):
    report = _submitted(funded, staff, applicant)
    client.force_login(other_applicant)
    assert client.get(reverse("monitoring:performance_fill", args=[report.pk])).status_code == 404
    assert client.get(reverse("monitoring:performance_reports")).status_code == 403
    client.force_login(reviewer)
    for url in (
        reverse("monitoring:performance_reports"),
        reverse("monitoring:performance_plan", args=[funded.pk]),
        reverse("monitoring:performance_report", args=[report.pk]),
        reverse("monitoring:inspections"),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            reverse("monitoring:performance_evaluate", args=[report.pk]),
            {"evaluate-grade": "good", "evaluate-opinion": "x"},
        ).status_code
        == 403
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_unit_cannot_grade_and_another_cannot_fill(funded, staff, applicant, other_applicant):
    report = plan(funded, staff, mid_in=None)[0]
    with pytest.raises(PerformanceRefused, match="You are not allowed to do this"):
        report_save(report_id=report.pk, actor=other_applicant, values={}, narrative="x")
    report = _submitted(funded, staff, applicant)
    with pytest.raises(TransitionRefused, match="You are not allowed to do this"):
        report_evaluate(report_id=report.pk, actor=applicant, grade="excellent", opinion="Mine.")


def test_the_report_transition_table_is_walked_in_full(funded, staff, applicant):
    """Every action from every state: allowed where the table says, refused elsewhere."""
    actors = {ReportAction.SUBMIT: applicant, ReportAction.RETURN: staff, ReportAction.EVALUATE: staff}
    report = plan(funded, staff, mid_in=None)[0]
    for state in ReportState:
        for action, transition in REPORT_TRANSITIONS.items():
            graded = "good" if state == ReportState.EVALUATED else ""
            PerformanceReport.objects.filter(pk=report.pk).update(state=state, grade=graded)
            changes = {"grade": "good"} if action == ReportAction.EVALUATE else None
            if state in transition.sources:
                done = report_transition(
                    report_id=report.pk, action=action, actor=actors[action], note="n", changes=changes
                )
                assert done.state == transition.target
            else:
                with pytest.raises(TransitionRefused, match="This cannot be done while the report is"):
                    report_transition(
                        report_id=report.pk, action=action, actor=actors[action], note="n", changes=changes
                    )


def test_a_returned_report_is_revised_and_submitted_again(funded, staff, applicant):
    report = _submitted(funded, staff, applicant)
    with pytest.raises(TransitionRefused, match="Please give a reason"):
        report_return(report_id=report.pk, actor=staff, note=" ")
    report_return(report_id=report.pk, actor=staff, note="Add the bank statements.")
    report_save(report_id=report.pk, actor=applicant, values={}, narrative="Done, with statements.")
    assert report_submit(report_id=report.pk, actor=applicant).state == ReportState.SUBMITTED


def test_the_plan_form_gives_its_errors_at_the_field(client, funded, staff):
    client.force_login(staff)
    response = client.post(
        reverse("monitoring:performance_plan", args=[funded.pk]),
        {
            "indicator-TOTAL_FORMS": "1",
            "indicator-INITIAL_FORMS": "0",
            "indicator-0-name": "Revenue",
            "indicator-0-unit": "%",
            "indicator-0-baseline": "ten",
            "indicator-0-target": "30",
            "plan-mid_term_due_on": (TODAY + datetime.timedelta(days=90)).isoformat(),
            "plan-final_due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors == {"baseline": ["Enter a number."]}
    assert response.context["dates_form"].errors == {
        "mid_term_due_on": ["The mid-term report must be due before the final one."]
    }
    past = client.post(
        reverse("monitoring:performance_plan", args=[funded.pk]),
        {
            "indicator-TOTAL_FORMS": "1",
            "indicator-INITIAL_FORMS": "0",
            "indicator-0-name": "Revenue",
            "indicator-0-unit": "%",
            "indicator-0-baseline": "10",
            "indicator-0-target": "30",
            "plan-final_due_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert past.context["dates_form"].errors == {"final_due_on": ["A report cannot be due before today."]}
    assert not PerformanceReport.objects.filter(declaration=funded).exists()


def test_the_grade_form_wants_a_grade_and_an_opinion(client, funded, staff, applicant):
    report = _submitted(funded, staff, applicant)
    client.force_login(staff)
    response = client.post(reverse("monitoring:performance_evaluate", args=[report.pk]), {"evaluate-grade": "best"})
    assert response.status_code == 400
    assert set(response.context["evaluate_form"].errors) == {"grade", "opinion"}


def test_a_report_value_out_of_range_is_refused_at_the_field(client, funded, staff, applicant):
    report = plan(funded, staff, mid_in=None)[0]
    indicator = funded.performance_indicators.first()
    client.force_login(applicant)
    response = client.post(
        reverse("monitoring:performance_fill", args=[report.pk]), {f"value_{indicator.pk}": "1e20", "save": ""}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [f"value_{indicator.pk}"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_reports_list_query_count_does_not_grow(
    client, staff, applicant, open_call, count, django_assert_max_num_queries
):
    for n in range(count):
        declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call)
        Declaration.objects.filter(pk=declaration.pk).update(state=S.PAID, number=f"ZGC-P-{n:04d}")
        PerformanceReport.objects.create(
            declaration=declaration, kind="final", due_on=TODAY - datetime.timedelta(days=n % 3)
        )
    client.force_login(staff)
    # session, user, the count, the page of reports with their declarations, unread notices, and the
    # console banner's reads.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("monitoring:performance_reports") + "?which=overdue")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(25, len([n for n in range(count) if n % 3]))


def _fail_of(organisation, open_call):
    declaration = DeclarationFactory(organisation=organisation, call=open_call)
    Declaration.objects.filter(pk=declaration.pk).update(state=S.PAID, number=f"ZGC-F-{declaration.pk:05d}")
    return PerformanceReport.objects.create(
        declaration=declaration, kind="final", due_on=TODAY, state=ReportState.EVALUATED, grade=PerformanceGrade.FAIL
    )


def test_the_queue_flags_a_unit_with_a_past_fail_and_filters_by_it(client, staff, open_call):
    later, clean = _declaration(open_call), _declaration(open_call)
    _fail_of(later.organisation, open_call)
    client.force_login(staff)
    flagged = _listed(client, "?flags=performance_fail")
    assert later in flagged and clean not in flagged
    html = client.get("/console/").content.decode()
    assert 'title="A performance report of the unit graded a fail (Art. 18)">Performance fail</span>' in html
    assert clean in _listed(client)


@pytest.mark.parametrize("count", [3, 20])
def test_the_queue_flag_costs_no_query_per_row(client, staff, open_call, count):
    for _ in range(count):
        declaration = _declaration(open_call)
        _fail_of(declaration.organisation, open_call)
    client.force_login(staff)
    client.get("/console/")
    with CaptureQueriesContext(connection) as flagged:
        client.get("/console/")
    PerformanceReport.objects.all().delete()
    with CaptureQueriesContext(connection) as unflagged:
        client.get("/console/")
    assert len(flagged) == len(unflagged)


def test_the_units_grades_show_on_its_later_declarations(client, make_declaration, staff, applicant):
    earlier, later = make_declaration(S.PAID), make_declaration(S.DISBURSING)
    report = _submitted(earlier, staff, applicant)
    report_evaluate(report_id=report.pk, actor=staff, grade=PerformanceGrade.FAIL, opinion="Targets missed.")
    client.force_login(staff)
    page = client.get(reverse("review:declaration", args=[later.pk])).content.decode()
    grades = page.split('data-testid="other-grades"')[1].split("</ul>")[0]
    assert "Fail" in grades and str(earlier) in grades
    own = client.get(reverse("review:declaration", args=[earlier.pk])).content.decode()
    assert 'data-testid="other-grades"' not in own


def test_grading_a_report_asks_first_with_the_grade_then_grades(client, funded, staff, applicant):
    report = _submitted(funded, staff, applicant)
    url = reverse("monitoring:performance_evaluate", args=[report.pk])
    data = {"evaluate-grade": PerformanceGrade.FAIL, "evaluate-opinion": "Targets far from reached."}
    client.force_login(staff)
    events = report.events.count()

    pending = client.post(url, data)
    report.refresh_from_db()
    after_first = (report.state, report.grade, report.events.count())
    client.post(url, data | {"confirmed": "yes"})
    report.refresh_from_db()

    content = pending.content.decode()
    assert "The report is graded “Fail”: the grade cannot be changed afterwards." in content
    assert "A fail lets the commission open a recovery case (Art. 21) on the money page." in content
    assert "Targets far from reached." in content
    assert after_first == (ReportState.SUBMITTED, "", events)
    assert (report.state, report.grade) == (ReportState.EVALUATED, PerformanceGrade.FAIL)


def test_grading_a_report_evaluated_already_says_why_without_asking(client, funded, staff, applicant):
    report = _submitted(funded, staff, applicant)
    report_evaluate(report_id=report.pk, actor=staff, grade=PerformanceGrade.GOOD, opinion="Fine.")
    client.force_login(staff)

    response = client.post(
        reverse("monitoring:performance_evaluate", args=[report.pk]),
        {"evaluate-grade": PerformanceGrade.FAIL, "evaluate-opinion": "Again."},
    )

    assert "This cannot be done while the report is" in response.content.decode()
    assert "What will happen" not in response.content.decode()
