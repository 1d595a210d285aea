"""The funded declarations of the disbursement tests (tests/disbursement/conftest.py), built by the
real services, and a performance plan on one."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.enums import DeclarationState as S
from monitoring.performance import performance_plan_set, report_save, report_submit
from monitoring.supervision import inspection_record
from tests.disbursement.conftest import cast, make_declaration  # noqa: F401 -- the fixtures, shared

TODAY = timezone.localdate()

ART6_INDICATORS = [
    {"name": "Follow-on financing raised", "unit": "10,000 yuan", "baseline": Decimal("0"), "target": Decimal("3000")},
    {"name": "Revenue growth", "unit": "%", "baseline": Decimal("10"), "target": Decimal("25")},
]


def plan(declaration, staff, *, mid_in=30, final_in=180, indicators=ART6_INDICATORS):
    return performance_plan_set(
        declaration_id=declaration.pk,
        actor=staff,
        indicators=indicators,
        due_dates={
            "mid_term": TODAY + datetime.timedelta(days=mid_in) if mid_in is not None else None,
            "final": TODAY + datetime.timedelta(days=final_in),
        },
    )


@pytest.fixture
def funded(make_declaration):  # noqa: F811 -- the shared fixture, by name
    return make_declaration(S.PAID)


def monitoring_rows(declaration, *, staff, applicant):
    """A row in each of monitoring's audit tables (a report submitted, an inspection recorded) on a
    paid declaration, for tests/test_audit_trail.py."""
    report = plan(declaration, staff, mid_in=None)[0]
    values = {indicator.pk: Decimal("1") for indicator in declaration.performance_indicators.all()}
    report_save(report_id=report.pk, actor=applicant, values=values, narrative="Done.")
    report_submit(report_id=report.pk, actor=applicant)
    inspection_record(
        declaration_id=declaration.pk, actor=staff, kind="audit", held_on=TODAY, findings="Ledger in order."
    )
