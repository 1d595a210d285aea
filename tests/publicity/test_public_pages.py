"""The public pages of a list: its versions, each at its own address; the CSV; the printable notice;
the Atom feed; the page cache; and queries that do not grow with the rows."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse

from publicity.models import ObjectionOutcome
from publicity.services import EntryCorrection, objection_handle, objection_raise, publicity_version_publish
from tests.publicity.conftest import ENDS_ON, STARTS_ON, on


def html_of(client, name, *args, **query):
    return client.get(reverse(f"publicity:{name}", args=args), query).content.decode()


def rows_of(response):
    return [(row.number, row.title, row.state_label) for row in response.context["data"].page]


def csv_rows(response):
    text = response.content.decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def corrected(staff, publicise, django_capture_on_commit_callbacks):
    """A list of two whose first title was corrected in version 2."""
    batch, (first, second) = publicise(2)
    with on(STARTS_ON), django_capture_on_commit_callbacks(execute=True):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="The title of the first project is corrected after an objection.",
            corrections=[EntryCorrection(entry_id=first.publicity_entries.get().pk, title="Corrected title")],
        )
    return batch, first, second


def test_a_correction_publishes_the_next_version_and_the_earlier_one_stays_readable(client, corrected):
    batch, first, second = corrected

    with on(STARTS_ON):
        current = client.get(reverse("publicity:batch", args=[batch.pk]))
        v1 = client.get(reverse("publicity:version", args=[batch.pk, 1]))
        v2 = client.get(reverse("publicity:version", args=[batch.pk, 2]))
        v3 = client.get(reverse("publicity:version", args=[batch.pk, 3]))

    assert rows_of(current) == [
        (first.number, "Corrected title", "In publicity"),
        (second.number, second.title, "In publicity"),
    ]
    assert rows_of(v2) == rows_of(current)
    assert rows_of(v1) == [(first.number, first.title, "In publicity"), (second.number, second.title, "In publicity")]
    assert v3.status_code == 404
    html = current.content.decode()
    assert "The title of the first project is corrected after an objection." in html
    assert reverse("publicity:version", args=[batch.pk, 1]) in html
    assert "Version 1 has been superseded: version 2 is the current list." in v1.content.decode()
    assert "This is the current version of the list." in v2.content.decode()
    # Only the current version takes objections.
    assert (v1.context["data"].page.takes_objections, v2.context["data"].page.takes_objections) == (False, True)


def test_an_added_project_shows_its_own_period_beside_it(client, staff, publicise, make_approved):
    batch, (first,) = publicise(1)
    with on(date(2026, 9, 29)):
        (added,) = make_approved(batch.call, 1)
    # Added on Thursday 8 October: 9, 10 (the make-up Saturday), 12, 13 and 14 October.
    with on(date(2026, 10, 8)):
        publicity_version_publish(
            actor=staff, batch_id=batch.pk, changelog="One project added.", add_declaration_ids=[added.pk]
        )
        response = client.get(reverse("publicity:batch", args=[batch.pk]))
    html = response.content.decode()

    own = {row.number: row.has_own_period for row in response.context["data"].page}
    assert own == {first.number: False, added.number: True}
    assert "own period Oct. 9, 2026 \u2013 Oct. 14, 2026" in html
    assert "the last ends on Oct. 14, 2026." in html
    assert '<time datetime="2026-10-12">Oct. 12, 2026</time>' in html


def test_a_withdrawn_project_leaves_the_current_list_and_reads_withdrawn_in_earlier_versions(client, staff, publicise):
    batch, (kept, removed) = publicise(2)
    entry = removed.publicity_entries.get()
    with on(STARTS_ON):
        objection = objection_raise(entry=entry, name="王五", contact="13800001111", text="Not a first round.")
        objection_handle(
            objection_id=objection.pk,
            actor=staff,
            outcome=ObjectionOutcome.NOT_SUPPORTED,
            reason="An earlier round existed.",
            reply="Verified.",
        )
        current = client.get(reverse("publicity:batch", args=[batch.pk]))
        v1 = client.get(reverse("publicity:version", args=[batch.pk, 1]))

    assert rows_of(current) == [(kept.number, kept.title, "In publicity")]
    assert rows_of(v1) == [(kept.number, kept.title, "In publicity"), (removed.number, removed.title, "Withdrawn")]


def test_csv_of_each_version_with_formulas_neutralised(client, corrected, bulk_batch):
    batch, first, second = corrected
    formula = bulk_batch(1, title="Formula list")
    formula.published_entries.update(title='=HYPERLINK("http://x")', unit_name="+1 Co.")

    current = client.get(reverse("publicity:batch_csv", args=[batch.pk]))
    v1 = client.get(reverse("publicity:batch_csv", args=[batch.pk]), {"version": "1"})
    neutralised = client.get(reverse("publicity:batch_csv", args=[formula.pk]))

    assert current["Content-Type"] == "text/csv; charset=utf-8"
    assert current["Content-Disposition"] == f'attachment; filename="publicity-{batch.pk}-v2.csv"'
    assert v1["Content-Disposition"] == f'attachment; filename="publicity-{batch.pk}-v1.csv"'
    header, *rows = csv_rows(current)
    assert header == [
        "Declaration number",
        "Programme",
        "Programme title",
        "Unit",
        "Unified social credit code",
        "Project",
        "Approved amount (yuan)",
        "Status",
        "Publicity starts on",
        "Publicity ends on",
    ]
    assert [(row[0], row[5], row[6], row[8], row[9]) for row in rows] == [
        (first.number, "Corrected title", "1600000.00", "2026-09-30", "2026-10-12"),
        (second.number, second.title, "1600000.00", "2026-09-30", "2026-10-12"),
    ]
    assert [row[5] for row in csv_rows(v1)[1:]] == [first.title, second.title]
    assert [(row[3], row[5]) for row in csv_rows(neutralised)[1:]] == [("'+1 Co.", '\'=HYPERLINK("http://x")')]


@pytest.mark.parametrize("version", ["0", "3", "abc", "-1", "1.0", "٣", "9" * 30])
def test_csv_and_notice_of_a_version_the_list_does_not_have_are_not_found(client, corrected, version):
    batch, _first, _second = corrected

    csv_response = client.get(reverse("publicity:batch_csv", args=[batch.pk]), {"version": version})
    pdf_response = client.get(reverse("publicity:notice_pdf", args=[batch.pk]), {"version": version})

    assert (csv_response.status_code, pdf_response.status_code) == (404, 404)


def pdf_text(response):
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_notice_is_in_chinese_with_amounts_in_capitals_period_objections_and_contact(client, corrected, settings):
    batch, first, _second = corrected
    settings.PUBLICITY_CONTACT = "北京市科学技术委员会 · 电话 010-12345678"

    response = client.get(reverse("publicity:notice_pdf", args=[batch.pk]))
    text = pdf_text(response).replace("\n", "")

    assert response["Content-Type"] == "application/pdf"
    assert f'filename="publicity-notice-{batch.pk}-v2.pdf"' in response["Content-Disposition"]
    assert "壹佰陆拾万元整" in text
    assert "叁佰贰拾万元整" in text  # the total
    assert "1,600,000.00" in text
    assert "2026年9月30日" in text and "2026年10月12日" in text
    assert "24:00" in text
    assert "电话 010-12345678" in text
    assert "Corrected title" in text and first.title not in text
    assert "第2版" in text


def test_notice_is_made_once_and_served_from_storage(client, corrected, monkeypatch):
    from publicity.views import board

    batch, _first, _second = corrected
    first = client.get(reverse("publicity:notice_pdf", args=[batch.pk]), {"version": "1"})
    queued = []
    monkeypatch.setattr(board.make_publicity_notice, "delay", lambda **kwargs: queued.append(kwargs))
    again = client.get(reverse("publicity:notice_pdf", args=[batch.pk]), {"version": "1"})

    assert (first.status_code, again.status_code, queued) == (200, 200, [])
    assert pdf_text(again).count("\n") > 5


def test_notice_not_made_yet_asks_the_reader_to_come_back(client, corrected, monkeypatch):
    from publicity.views import board

    batch, _first, _second = corrected
    queued = []
    # The queue without a worker: the task is sent, not run.
    monkeypatch.setattr(board.make_publicity_notice, "delay", lambda **kwargs: queued.append(kwargs))

    response = client.get(reverse("publicity:notice_pdf", args=[batch.pk]))
    again = client.get(reverse("publicity:notice_pdf", args=[batch.pk]))

    assert (response.status_code, response["Retry-After"], again.status_code) == (202, "10", 202)
    assert queued == [{"batch_id": batch.pk, "version": 2}]
    assert "is being made. Reload this page in a moment." in response.content.decode()


def test_feed_has_an_entry_for_each_version_with_its_changelog(client, corrected, staff):
    batch, first, _second = corrected
    with on(STARTS_ON):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog="Amount <corrected> & checked.",
            corrections=[EntryCorrection(entry_id=first.publicity_entries.get().pk, amount=Decimal("1500000.00"))],
        )

    response = client.get(reverse("publicity:feed"))
    xml = response.content.decode()

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert xml.count("<entry>") == 3
    for number in (1, 2, 3):
        assert f'href="http://testserver{reverse("publicity:version", args=[batch.pk, number])}"' in xml
    assert f"{batch.title}, version 3" in xml
    assert "Amount &amp;lt;corrected&amp;gt; &amp;amp; checked." in xml


def test_pages_are_cached_until_a_batch_changes(
    client, staff, corrected, django_assert_num_queries, django_capture_on_commit_callbacks
):
    batch, first, _second = corrected
    url = reverse("publicity:batch", args=[batch.pk])

    with on(STARTS_ON):
        client.get(url)
        with django_assert_num_queries(0):
            cached = client.get(url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            publicity_version_publish(
                actor=staff,
                batch_id=batch.pk,
                changelog="Title corrected again.",
                corrections=[EntryCorrection(entry_id=first.publicity_entries.get().pk, title="Third title")],
            )
        fresh = client.get(url).content.decode()

    assert ("Corrected title" in cached, "Third title" in cached) == (True, False)
    assert ("Corrected title" in fresh, "Third title" in fresh) == (False, True)


def test_an_upheld_objection_drops_the_cached_pages(client, staff, publicise, django_capture_on_commit_callbacks):
    _batch, (declaration,) = publicise(1)
    with on(STARTS_ON):
        before = client.get(reverse("publicity:board"))
        objection = objection_raise(
            entry=declaration.publicity_entries.get(), name="王五", contact="13800001111", text="No."
        )
        with django_capture_on_commit_callbacks(execute=True):
            objection_handle(
                objection_id=objection.pk,
                actor=staff,
                outcome=ObjectionOutcome.NOT_SUPPORTED,
                reason="An earlier round existed.",
                reply="Verified.",
            )
        after = client.get(reverse("publicity:board"))

    assert [row.number for row in before.context["board"].page] == [declaration.number]
    assert [row.number for row in after.context["board"].page] == []


def test_the_hours_left_are_not_served_from_an_earlier_hour(client, publicise):
    batch, _ = publicise(1)
    url = reverse("publicity:batch", args=[batch.pk])

    with on(ENDS_ON, hour=14):
        at_two = client.get(url).content.decode()
    with on(ENDS_ON, hour=15):
        at_three = client.get(url).content.decode()

    assert "less than 10 hours left" in at_two
    assert "less than 9 hours left" in at_three


# --- queries: the same at two sizes, and on the first, a middle and the last page -----------------


PUBLIC_LISTS = [
    ("board", lambda batch: reverse("publicity:board")),
    ("batch", lambda batch: reverse("publicity:batch", args=[batch.pk])),
    ("version", lambda batch: reverse("publicity:version", args=[batch.pk, 1])),
    ("csv", lambda batch: reverse("publicity:batch_csv", args=[batch.pk])),
    ("feed", lambda batch: reverse("publicity:feed")),
]


def count_queries(client, url):
    """The queries of a request with an empty cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def two_sizes(bulk_batch, monkeypatch):
    """The query count of each public list at 3 and at 60 rows (in pages of 20), on the first, a
    middle and the last page; the other lists of the board are there too, one closed."""
    from django.utils import timezone

    from publicity import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 20)
    bulk_batch(2, title="Closed list", closed_at=timezone.now())

    def counts(client, size):
        batch = bulk_batch(size, classified=1)
        found = {}
        for name, url in PUBLIC_LISTS:
            found[name] = count_queries(client, url(batch))
        for name in ("board", "batch", "version"):
            for page in ("1", "2", "last"):
                found[f"{name} page {page}"] = count_queries(client, f"{PUBLIC_LISTS_URL[name](batch)}?page={page}")
        return found

    return counts


PUBLIC_LISTS_URL = dict(PUBLIC_LISTS)


def test_public_lists_take_the_same_queries_at_3_and_60_rows_on_every_page(client, two_sizes):
    small = two_sizes(client, 3)
    large = two_sizes(client, 60)

    assert small == large
    # The board: programmes, batches, rows; a list's page: versions with their batch, rows.
    assert {name: large[name] for name, _url in PUBLIC_LISTS} == {
        "board": 3,
        "batch": 2,
        "version": 2,
        "csv": 2,
        "feed": 1,
    }
    for name in ("board", "batch", "version"):
        assert {large[f"{name} page {page}"] for page in ("1", "2", "last")} == {large[name]}


def test_the_board_shows_the_latest_closed_lists_and_the_archive_page_has_them_all(client, bulk_batch, monkeypatch):
    from django.utils import timezone

    from publicity import selectors

    monkeypatch.setattr(selectors, "ARCHIVE_PAGE_SIZE", 4)
    closed = [
        bulk_batch(2, title=f"Closed list {n}", closed_at=timezone.now(), starts_on=STARTS_ON - timedelta(days=30 - n))
        for n in range(7)
    ]

    def archived(html):
        return re.findall(r'<th scope="row" class="fw-normal"><a href="/publicity/\d+/">([^<]+)</a>', html)

    board = html_of(client, "board")
    # The latest five, the latest first; the menu has them too, and a link leads to the rest.
    assert archived(board) == [f"Closed list {n}" for n in range(6, 1, -1)]
    assert '<a href="/publicity/archive/">All 7 closed lists</a>' in board
    menu = re.search(r'<select name="batch".*?</select>', board, re.S).group(0)
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', menu) == archived(board)
    # A list chosen from the archive's page is still a filter of the board.
    chosen = html_of(client, "board", batch=str(closed[0].pk))
    assert f'<option value="{closed[0].pk}" selected>Closed list 0</option>' in chosen
    assert "invalid-feedback" not in chosen

    first, last = html_of(client, "archive"), html_of(client, "archive", page="2")
    assert archived(first) == [f"Closed list {n}" for n in (6, 5, 4, 3)]
    assert archived(last) == [f"Closed list {n}" for n in (2, 1, 0)]


def test_the_archive_page_takes_the_same_queries_at_2_and_12_lists(client, bulk_batch, monkeypatch):
    from django.utils import timezone

    from publicity import selectors

    monkeypatch.setattr(selectors, "ARCHIVE_PAGE_SIZE", 4)
    url = reverse("publicity:archive")
    counts = []
    for size in (2, 10):
        for _ in range(size):
            bulk_batch(1, closed_at=timezone.now())
        counts.append([count_queries(client, f"{url}?page={page}") for page in ("1", "2", "last")])
    # Their count, a page of them.
    assert counts == [[2, 2, 2], [2, 2, 2]]
