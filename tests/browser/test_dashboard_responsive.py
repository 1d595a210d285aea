"""The applicant's dashboard in a real browser: one table on a wide screen, cards on a phone,
with no horizontal scroll at either width."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from declarations.enums import DeclarationState as S
from disbursement.models import Payment
from tests.browser.conftest import login
from tests.factories import PASSWORD, ApplicantFactory, CallFactory, DeclarationFactory, FinanceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize(("width", "name"), [(1366, "wide"), (390, "phone")])
def test_dashboard_is_one_table_that_stacks_on_a_phone(live_server, page, output_dir, width, name):
    applicant = ApplicantFactory(username="browser-applicant")
    call = CallFactory()
    DeclarationFactory(organisation=applicant.organisation, call=call, created_by=applicant, title="Quantum sensing")
    paid = DeclarationFactory(
        organisation=applicant.organisation,
        call=call,
        created_by=applicant,
        title="Photonic chips",
        state=S.DISBURSING,
        number="2026-ART6-0001",
        submitted_at=timezone.now(),
        award_cap=Decimal("1600000.00"),
        approved_amount=Decimal("1600000.00"),
    )
    Payment.objects.create(
        declaration=paid,
        amount=Decimal("800000.00"),
        paid_on=datetime.date(2026, 6, 1),
        reference="P-1",
        recorded_by=FinanceFactory(),
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "browser-applicant", PASSWORD)
    page.goto(f"{live_server.url}/applicant/")
    rows = page.locator("table.table-stacked tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Photonic chips")).to_contain_text("800,000.00 / 1,600,000.00")
    expect(rows.filter(has_text="Quantum sensing")).to_contain_text("Complete and submit")
    header_shown = page.locator("table.table-stacked thead").is_visible()
    # The table fits its column (the site's menu bar is another matter: base.html's).
    table = page.locator("table.table-stacked")
    overflow = table.evaluate("t => t.scrollWidth - t.parentElement.clientWidth")
    page.screenshot(path=output_dir / f"dashboard-{name}.png", full_page=True)
    assert overflow <= 0
    # On a phone each cell is a line of its card, headed by its column's name; the header row is
    # there for screen readers only (clipped to one pixel).
    cell = rows.first.locator("td[data-label]").first
    display = cell.evaluate("td => getComputedStyle(td).display")
    assert display == ("block" if width < 768 else "table-cell")
    assert header_shown is True or width < 768
