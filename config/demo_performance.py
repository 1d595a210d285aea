"""Demo data of performance management (Art. 18) and supervision (Art. 20): a plan on every demo
declaration whose support stands decided, reports in every state (a draft, an overdue draft, one
returned, one submitted, and one evaluated with each grade, the fail on the paid ART6 project),
and inspections, one with a rectification overdue. Through the real services; running it again
changes nothing that exists."""

import datetime
from decimal import Decimal

from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from monitoring.enums import PerformanceGrade, ReportKind
from monitoring.models import PerformanceIndicator
from monitoring.performance import performance_plan_set, report_evaluate, report_return, report_save, report_submit
from monitoring.performance_defaults import default_indicators
from monitoring.supervision import inspection_close, inspection_record, rectification_answer

# What happens to each decided declaration's mid-term report, by its state in the demo (the final
# reports stay drafts): each grade once, and the other states of a report.
MID_TERM = {
    (S.PAID, "ART6"): PerformanceGrade.FAIL,
    (S.DISBURSING, "ART9"): PerformanceGrade.EXCELLENT,
    (S.CONFIRMED, "ART12"): PerformanceGrade.GOOD,
    (S.CONFIRMED, "ART9"): PerformanceGrade.PASS,
    (S.APPROVED, "ART9"): "returned",
    (S.IN_PUBLICITY, "ART9"): "overdue",
}
OPINIONS = {
    PerformanceGrade.EXCELLENT: "各项目标均超额完成，资金按计划使用。",
    PerformanceGrade.GOOD: "大部分目标已完成，融资目标接近完成。",
    PerformanceGrade.PASS: "目标部分完成，单位已说明延误原因。",
    PerformanceGrade.FAIL: "目标远未完成，资金使用无凭证。",
}


def _values(declaration, reached):
    return {
        indicator.pk: (indicator.target * reached).quantize(Decimal("0.01"))
        for indicator in declaration.performance_indicators.all()
    }


def load_performance_demo(staff):
    """The demo's plans, reports and inspections, for the declarations the demo walked."""
    today = timezone.localdate()
    if PerformanceIndicator.objects.exists():
        return
    decided = Declaration.objects.filter(state__in=[state for state, _code in MID_TERM]).select_related("programme")
    for declaration in decided.order_by("pk"):
        outcome = MID_TERM.get((declaration.state, declaration.programme.code))
        if outcome is None:
            continue
        applicant = declaration.organisation.users.filter(is_active=True).order_by("pk").first()
        # An overdue draft: its plan was set four months ago, its mid-term report due ten days ago.
        planned_on = today - datetime.timedelta(days=120) if outcome == "overdue" else today
        mid_due = today - datetime.timedelta(days=10) if outcome == "overdue" else today + datetime.timedelta(days=90)
        indicators = [
            {"name": str(d.name), "unit": str(d.unit), "baseline": Decimal("100"), "target": Decimal("500")}
            for d in default_indicators(declaration.programme.code)
        ]
        reports = performance_plan_set(
            declaration_id=declaration.pk,
            actor=staff,
            indicators=indicators,
            due_dates={ReportKind.MID_TERM: mid_due, ReportKind.FINAL: today + datetime.timedelta(days=365)},
            today=planned_on,
        )
        mid_term = next(report for report in reports if report.kind == ReportKind.MID_TERM)
        if outcome == "overdue":
            continue
        reached = Decimal("1.2") if outcome == PerformanceGrade.EXCELLENT else Decimal("0.4")
        report_save(
            report_id=mid_term.pk,
            actor=applicant,
            values=_values(declaration, reached),
            narrative="项目上半期进展，附资金使用的银行流水。",
        )
        report_submit(report_id=mid_term.pk, actor=applicant)
        if outcome == "returned":
            report_return(report_id=mid_term.pk, actor=staff, note="请附资金使用的银行流水。")
        else:
            report_evaluate(report_id=mid_term.pk, actor=staff, grade=outcome, opinion=OPINIONS[outcome])
        if declaration.state == S.DISBURSING:
            # The final report submitted early, awaiting evaluation.
            final = next(report for report in reports if report.kind == ReportKind.FINAL)
            report_save(
                report_id=final.pk,
                actor=applicant,
                values=_values(declaration, Decimal("1.1")),
                narrative="项目已完成，各项目标均已实现。",
            )
            report_submit(report_id=final.pk, actor=applicant)
            # An on-site inspection whose rectification is overdue.
            inspection_record(
                declaration_id=declaration.pk,
                actor=staff,
                kind="on_site",
                held_on=today - datetime.timedelta(days=45),
                findings="支持资金未单独核算（第二十条：专款专用）。",
                rectification_required=True,
                rectification_due_on=today - datetime.timedelta(days=15),
            )
        if declaration.state == S.PAID:
            audit = inspection_record(
                declaration_id=declaration.pk,
                actor=staff,
                kind="audit",
                held_on=today - datetime.timedelta(days=20),
                findings="项目台账缺少两笔支出的发票。",
                rectification_required=True,
                rectification_due_on=today + datetime.timedelta(days=10),
            )
            rectification_answer(inspection_id=audit.pk, actor=applicant, answer="两张发票已找到并归入台账。")
            inspection_close(inspection_id=audit.pk, actor=staff, note="已核对台账。")
