"""Declarations approved and publicised on fixed days, so the working-day windows are known.

The standard batch is opened on Tuesday 2026-09-29: its 5 working days are 30 September, then
(after the National Day holiday of 1-7 October) 8, 9, 10 (a make-up Saturday) and 12 October.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.demo import Cast, walk_to
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from publicity.services import publicity_batch_open
from tests.factories import CallFactory, DeclarationFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED_ON = date(2026, 9, 29)
STARTS_ON = date(2026, 9, 30)
ENDS_ON = date(2026, 10, 12)


def on(day, hour=10):
    """Travel to `hour` o'clock in Beijing on `day`, with the clock standing still."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def make_approved(staff, reviewer, second_reviewer, finance):
    """Approved declarations of `call`, each of its own organisation, through the real services."""

    def make(call, count=1, *, classified=False):
        approved = []
        for _ in range(count):
            declaration = DeclarationFactory(call=call, classified=classified)
            cast = Cast(
                applicant=declaration.created_by, staff=staff, reviewers=[reviewer, second_reviewer], finance=finance
            )
            approved.append(walk_to(declaration, S.APPROVED, cast))
        return approved

    return make


@pytest.fixture
def publicise(staff, make_approved):
    """Open a batch on OPENED_ON with `count` public (and `classified` classified) declarations."""

    def publicise_on_opened_day(count=1, classified=0):
        with on(OPENED_ON):
            call = CallFactory()
            declarations = make_approved(call, count) + make_approved(call, classified, classified=True)
            batch = publicity_batch_open(actor=staff, call=call, declaration_ids=[d.pk for d in declarations])
        return batch, [Declaration.objects.get(pk=d.pk) for d in declarations]

    return publicise_on_opened_day


@pytest.fixture
def batch_with_one(publicise):
    batch, (declaration,) = publicise(1)
    return batch, declaration


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def bulk_batch(staff):
    """A batch of `count` public entries (and `classified` ones, with no published row) written in
    bulk, as publicity_batch_open would leave them: for the tests that need many rows."""
    from decimal import Decimal

    from declarations.models import Programme
    from publicity.calendar import working_days_between
    from publicity.models import BatchVersion, PublicityBatch, PublicityEntry, PublishedEntry
    from tests.factories import ApplicantFactory, OrganisationFactory

    made = {"n": 0}

    def make(count, *, classified=0, starts_on=STARTS_ON, ends_on=ENDS_ON, closed_at=None, title=None):
        made["n"] += 1
        call = CallFactory()
        programme = Programme.objects.get(code="ART6")
        organisation = OrganisationFactory()
        applicant = ApplicantFactory(organisation=organisation)
        declarations = Declaration.objects.bulk_create(
            Declaration(
                organisation=organisation,
                call=call,
                programme=programme,
                title=f"Bulk project {made['n']}-{i:04d}",
                summary="Bulk",
                facts={},
                state=S.CONFIRMED if closed_at else S.IN_PUBLICITY,
                number=f"ZGC-2026-ART6-B{made['n']}{i:05d}",
                approved_amount=Decimal("1000000.00") + i,
                classified=i >= count,
                created_by=applicant,
            )
            for i in range(count + classified)
        )
        batch = PublicityBatch.objects.create(
            call=call,
            title=title or f"Bulk list {made['n']}",
            starts_on=starts_on,
            ends_on=ends_on,
            opened_by=staff,
            closed_at=closed_at,
            row_count=count,
            working_days=[day.isoformat() for day in working_days_between(starts_on, ends_on)],
        )
        BatchVersion.objects.create(
            batch=batch, number=1, published_by=staff, changelog="First publication.", row_count=count
        )
        entries = PublicityEntry.objects.bulk_create(
            PublicityEntry(batch=batch, declaration=d, starts_on=starts_on, ends_on=ends_on) for d in declarations
        )
        PublishedEntry.objects.bulk_create(
            PublishedEntry(
                entry=entry,
                batch=batch,
                since_version=1,
                number=d.number,
                programme=programme,
                unit_name=organisation.name,
                credit_code=organisation.credit_code,
                title=d.title,
                amount=d.approved_amount,
                starts_on=starts_on,
                ends_on=ends_on,
                search_text=f"{organisation.name} {d.title} {d.number}".lower(),
            )
            for entry, d in zip(entries, declarations, strict=True)
            if not d.classified
        )
        return batch

    return make
