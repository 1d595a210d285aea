"""The statistics page in a real browser: commission staff open it in English at desktop width and
in Chinese at 390 px; every chart is drawn (by static/js/statistics.js under the strict CSP, with no
error in the console) above its table. With the demo's data too, every chart and the timeliness
have content. Screenshots: statistics-en-desktop.png, statistics-zh-390.png, statistics-demo-en.png,
statistics-demo-zh-390.png."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent, Programme
from declarations.workflow import MILESTONES
from disbursement.models import Payment
from monitoring import statistics_snapshots
from monitoring.models import StatisticsSnapshot
from tests.browser.conftest import login
from tests.factories import PASSWORD, DeclarationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHARTS = ("chart-amounts", "chart-funnel", "chart-months")
# Where each declaration ended, and the events that took it there.
PATHS = {
    S.SUBMITTED: (A.SUBMIT,),
    S.NOT_ACCEPTED: (A.SUBMIT, A.REFUSE),
    S.REVIEWED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW),
    S.NOT_SUPPORTED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW, A.REJECT),
    S.CONFIRMED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW, A.APPROVE, A.PUBLICISE, A.CONFIRM),
}
PATHS[S.DISBURSING] = (*PATHS[S.CONFIRMED], A.START_DISBURSEMENT)
PATHS[S.PAID] = (*PATHS[S.DISBURSING], A.COMPLETE_PAYMENT)


@pytest.fixture
def a_year_of_declarations(open_call, staff):
    """Forty declarations over five programmes, submitted over four months before now, each with the
    events of its path a few days apart, their milestones and the payments of those paid (a
    fixture shortcut: the page reads the milestones, not how they were written)."""
    organisation = OrganisationFactory()
    author = DeclarationFactory(call=open_call, organisation=organisation).created_by
    programmes = list(Programme.objects.order_by("position")[:5])
    states = list(PATHS)
    start = timezone.now() - datetime.timedelta(days=150)
    for i in range(40):
        state = states[i % len(states)]
        declaration = Declaration.objects.create(
            organisation=organisation,
            call=open_call,
            programme=programmes[i % len(programmes)],
            title=f"Project {i}",
            summary="Browser fixture.",
            state=state,
            number=f"ZGC-{open_call.year}-B{i:04d}",
            award_cap=Decimal(300_000 + 90_000 * i),
            approved_amount=Decimal(200_000 + 60_000 * i) if state in (S.CONFIRMED, S.DISBURSING, S.PAID) else None,
            created_by=author,
        )
        moment = start + datetime.timedelta(days=3 * i)
        milestones = {}
        for step, action in enumerate(PATHS[state]):
            moment += datetime.timedelta(days=2 + (i + step) % 9)
            DeclarationEvent.objects.create(
                declaration=declaration, action=action, from_state=S.DRAFT, to_state=state, created_at=moment
            )
            for name, actions in MILESTONES.items():
                if action in actions:
                    milestones.setdefault(name, moment)
            if action in (A.START_DISBURSEMENT, A.COMPLETE_PAYMENT):
                Payment.objects.create(
                    declaration=declaration,
                    amount=declaration.approved_amount / 2,
                    paid_on=min(timezone.localdate(moment), timezone.localdate()),
                    reference=f"P{i}{step}",
                    recorded_by=staff,
                )
        # The milestones declaration_transition writes with the events, which the page reads.
        Declaration.objects.filter(pk=declaration.pk).update(**milestones)


def _charts_drawn(page):
    return page.evaluate(
        "ids => ids.map(id => { const c = window.Chart && Chart.getChart(id); "
        "return !!c && c.data.datasets.some(d => d.data.some(v => v > 0)); })",
        list(CHARTS),
    )


def test_staff_see_the_charts_and_tables_in_english_and_in_chinese(
    a_year_of_declarations, staff, browser, page, live_server, output_dir
):
    errors = []

    def watch(tab):
        # CSP refusals and script errors; a missing resource by its address (the site has no favicon).
        tab.on(
            "console", lambda m: m.type == "error" and "Failed to load resource" not in m.text and errors.append(m.text)
        )
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and errors.append(r.url))

    watch(page)
    login(page, live_server, staff.username, PASSWORD)
    page.goto(f"{live_server.url}/monitoring/statistics/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-months')")
    assert _charts_drawn(page) == [True, True, True]
    assert page.locator("#table-amounts tfoot").inner_text().count(",") >= 2  # amounts with separators
    page.screenshot(path=str(output_dir / "statistics-en-desktop.png"), full_page=True)
    assert errors == []

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    narrow = context.new_page()
    watch(narrow)
    login(narrow, live_server, staff.username, PASSWORD)
    narrow.goto(f"{live_server.url}/monitoring/statistics/")
    narrow.wait_for_function("() => window.Chart && Chart.getChart('chart-months')")
    assert narrow.locator("h1").inner_text() == "统计分析"
    assert _charts_drawn(narrow) == [True, True, True]
    # Nothing wider than the screen but the tables' own scrolling boxes.
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    narrow.screenshot(path=str(output_dir / "statistics-zh-390.png"), full_page=True)
    context.close()
    assert errors == []


def test_the_demo_data_fill_every_chart_and_the_timeliness(browser, page, live_server, output_dir):
    """The demo's declarations carry a history over the past months (config.demo_statistics): the
    monthly line has several months, the medians are days, not 0."""
    call_command("load_demo", stdout=io.StringIO())
    login(page, live_server, "staff", "demo-pass-2026")
    page.goto(f"{live_server.url}/monitoring/statistics/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-months')")
    assert _charts_drawn(page) == [True, True, True]
    months = page.evaluate(
        "() => Chart.getChart('chart-months').data.datasets.map(d => d.data.filter(v => v > 0).length)"
    )
    assert min(months) >= 3, months
    timeliness = page.locator("#table-timeliness tfoot").inner_text()
    medians = [float(value) for value in re.findall(r"\d+(?:\.\d+)?", timeliness)]
    assert len(medians) == 3 and all(median > 1 for median in medians), timeliness
    page.screenshot(path=str(output_dir / "statistics-demo-en.png"), full_page=True)

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    narrow = context.new_page()
    login(narrow, live_server, "staff", "demo-pass-2026")
    narrow.goto(f"{live_server.url}/monitoring/statistics/")
    narrow.wait_for_function("() => window.Chart && Chart.getChart('chart-months')")
    assert _charts_drawn(narrow) == [True, True, True]
    narrow.screenshot(path=str(output_dir / "statistics-demo-zh-390.png"), full_page=True)
    context.close()


def test_while_a_worker_counts_again_the_page_says_as_of_when_its_figures_are(
    browser, live_server, output_dir, a_year_of_declarations, open_call, staff, monkeypatch
):
    """The data moved on since the last count and no worker has counted yet (the task is asked, not
    run here): the page shows the last count, marked as being counted again. Screenshot:
    statistics-recounting-zh-390.png."""
    statistics_snapshots.statistics_snapshot_count(open_call.year)
    StatisticsSnapshot.objects.update(data_version="changed since")
    monkeypatch.setattr(statistics_snapshots, "_count_asked", lambda *args: False)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    narrow = context.new_page()
    login(narrow, live_server, staff.username, PASSWORD)
    narrow.goto(f"{live_server.url}/monitoring/statistics/")
    status = narrow.locator("[role=status]", has_text="正在重新统计")
    assert status.is_visible()
    narrow.wait_for_function("() => window.Chart && Chart.getChart('chart-amounts')")
    narrow.screenshot(path=str(output_dir / "statistics-recounting-zh-390.png"))
    context.close()
