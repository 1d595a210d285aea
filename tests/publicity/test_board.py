"""The public board (/publicity/): current lists first, then the archive; 50 projects a page; the
search and filters; each list's summary with its period, days and hours left."""

import pytest
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from publicity.models import PublicityBatch
from tests.factories import CallFactory
from tests.publicity.conftest import ENDS_ON, OPENED_ON, STARTS_ON, on


def test_batch_open_from_console_publicises_and_board_shows_end_date(client, staff, make_approved):
    with on(OPENED_ON):
        call = CallFactory()
        public_one, public_two = make_approved(call, 2)
        (secret,) = make_approved(call, 1, classified=True)
        client.force_login(staff)
        page = client.get(reverse("publicity:console_batch_open"), {"call": call.pk})
        opened = client.post(
            reverse("publicity:console_batch_open") + f"?call={call.pk}",
            {
                "declarations": [public_one.pk, public_two.pk, secret.pk],
                "title": "Publicity 2026-1",
                "confirmed": "yes",
            },
            follow=True,
        )
    client.logout()
    board = client.get(reverse("publicity:board")).content.decode()

    batch = PublicityBatch.objects.get()
    # Listed by declaration number, which follows the order of submission here.
    assert [o.data["value"].instance.pk for o in page.context["open_form"]["declarations"]] == [
        public_one.pk,
        public_two.pk,
        secret.pk,
    ]
    assert opened.redirect_chain == [(reverse("publicity:console_batch", args=[batch.pk]), 302)]
    assert (batch.title, batch.starts_on, batch.ends_on) == ("Publicity 2026-1", STARTS_ON, ENDS_ON)
    assert sorted(Declaration.objects.values_list("pk", "state")) == sorted(
        [(public_one.pk, S.IN_PUBLICITY), (public_two.pk, S.IN_PUBLICITY), (secret.pk, S.IN_PUBLICITY)]
    )
    assert "Publicity opened for 3 declarations, from Sept. 30, 2026 to Oct. 12, 2026." in opened.content.decode()
    assert "Publicity 2026-1" in board
    assert '<time datetime="2026-10-12">Oct. 12, 2026</time>' in board
    for declaration in (public_one, public_two):
        assert declaration.number in board
        assert declaration.title in board
        assert declaration.organisation.name in board
        assert declaration.organisation.credit_code in board
    assert "ART6" in board
    assert board.count("1,600,000.00") == 2
    assert secret.number not in board
    assert secret.title not in board
    assert secret.organisation.name not in board


def test_board_shows_public_state_label_and_objection_links_while_running(client, publicise):
    _batch, (declaration,) = publicise(1)

    with on(STARTS_ON):
        running = client.get(reverse("publicity:board")).content.decode()
    with on(OPENED_ON):
        upcoming = client.get(reverse("publicity:board")).content.decode()

    objection_url = reverse("publicity:objection", args=[declaration.publicity_entries.get().pk])
    assert (objection_url in running, objection_url in upcoming) == (True, False)
    assert '<span class="text-nowrap">In publicity</span>' in running
    assert "Objections may be raised from Sept. 30, 2026 to Oct. 12, 2026." in upcoming


def test_board_hides_batches_with_only_classified_declarations(client, publicise):
    batch, (secret,) = publicise(0, classified=1)

    board = client.get(reverse("publicity:board"))
    page = client.get(reverse("publicity:batch", args=[batch.pk]))
    version = client.get(reverse("publicity:version", args=[batch.pk, 1]))
    csv = client.get(reverse("publicity:batch_csv", args=[batch.pk]))
    pdf = client.get(reverse("publicity:notice_pdf", args=[batch.pk]))
    objection = client.get(reverse("publicity:objection", args=[secret.publicity_entries.get().pk]))

    assert (board.context["board"].current, board.context["board"].archive) == ([], [])
    assert batch.title not in board.content.decode()
    assert [r.status_code for r in (page, version, csv, pdf, objection)] == [404, 404, 404, 404, 404]


def test_batch_page_lists_public_entries_only(client, publicise):
    batch, (public, secret) = publicise(1, classified=1)

    page = client.get(reverse("publicity:batch", args=[batch.pk]))
    html = page.content.decode()

    assert [row.entry_id for row in page.context["data"].page] == [public.publicity_entries.get().pk]
    assert (public.number in html, secret.number in html) == (True, False)
    assert f'<h1 class="mb-3">{batch.title}</h1>' in html


def test_board_keeps_confirmed_batch_in_the_archive_with_publicity_ended_label(client, publicise):
    from publicity.services import publicity_batch_close

    batch, (declaration,) = publicise(1)
    with on(ENDS_ON.replace(day=13)):
        publicity_batch_close(batch_id=batch.pk)
        response = client.get(reverse("publicity:board"))
    html = response.content.decode()

    assert Declaration.objects.get(pk=declaration.pk).state == S.CONFIRMED
    assert ([b.pk for b in response.context["board"].current], [b.pk for b in response.context["board"].archive]) == (
        [],
        [batch.pk],
    )
    assert declaration.number in html
    assert '<span class="text-nowrap">Publicity ended</span>' in html
    assert reverse("publicity:objection", args=[declaration.publicity_entries.get().pk]) not in html


def test_an_upheld_objection_takes_the_project_off_the_list_and_its_first_version_reads_withdrawn(
    client, staff, publicise
):
    from publicity.models import ObjectionOutcome
    from publicity.services import objection_handle, objection_raise

    batch, (kept, removed) = publicise(2)
    with on(STARTS_ON):
        objection = objection_raise(
            entry=removed.publicity_entries.get(), name="王五", contact="wang@example.com", text="Not a first round."
        )
        objection_handle(
            objection_id=objection.pk,
            actor=staff,
            outcome=ObjectionOutcome.NOT_SUPPORTED,
            reason="An earlier round existed.",
            reply="Verified.",
        )
        response = client.get(reverse("publicity:board"))
        first = client.get(reverse("publicity:version", args=[batch.pk, 1]))

    rows = {row.number: (row.state_label, row.accepts_objections) for row in response.context["board"].page}
    assert rows == {kept.number: ("In publicity", True)}
    assert (removed.number in first.content.decode(), "Withdrawn" in first.content.decode()) == (True, True)
    html = response.content.decode() + first.content.decode()
    assert reverse("publicity:objection", args=[removed.publicity_entries.get().pk]) not in html


def test_board_lists_current_batches_first_then_the_archive_fifty_a_page(client, bulk_batch):
    from django.utils import timezone

    closed = bulk_batch(30, title="Closed list", closed_at=timezone.now())
    running = bulk_batch(40, title="Running list")

    with on(STARTS_ON):
        first = client.get(reverse("publicity:board"))
        second = client.get(reverse("publicity:board"), {"page": 2})

    first_rows, second_rows = list(first.context["board"].page), list(second.context["board"].page)
    assert (len(first_rows), len(second_rows), first.context["board"].page.paginator.num_pages) == (50, 20, 2)
    assert [row.batch_id for row in first_rows + second_rows] == [running.pk] * 40 + [closed.pk] * 30
    assert [row.number for row in first_rows[:40]] == sorted(row.number for row in first_rows[:40])
    html = first.content.decode()
    assert html.index("Running list") < html.index("Closed list")
    assert 'href="?page=2"' in html


@pytest.mark.parametrize(
    ("query", "page_shown"),
    [({"page": "abc"}, 1), ({"page": "0"}, 2), ({"page": "99"}, 2), ({"page": "-1"}, 2), ({"page": "1e3"}, 1)],
)
def test_board_pages_read_any_page_number(client, bulk_batch, query, page_shown):
    bulk_batch(60)

    response = client.get(reverse("publicity:board"), query)

    assert (response.status_code, response.context["board"].page.number) == (200, page_shown)


def test_board_searches_unit_title_and_number_and_filters_by_programme_and_batch(client, publicise, bulk_batch):
    batch, (declaration,) = publicise(1)
    other = bulk_batch(3)

    def numbers(**query):
        return [row.number for row in client.get(reverse("publicity:board"), query).context["board"].page]

    assert numbers(q=declaration.organisation.name.upper()) == [declaration.number]
    assert numbers(q=declaration.title[-12:]) == [declaration.number]
    assert numbers(q=declaration.number.lower()) == [declaration.number]
    assert numbers(q="100%") == []
    assert numbers(batch=str(other.pk)) == sorted(other.published_entries.values_list("number", flat=True))
    assert numbers(programme="ART6", batch=str(batch.pk)) == [declaration.number]
    assert numbers(programme="ART5") == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"batch": "xyz"}, "batch", "Choose a list from the menu."),
        ({"batch": "-3"}, "batch", "Choose a list from the menu."),
        ({"batch": "999999"}, "batch", "There is no such list on the board: choose one from the menu."),
        ({"programme": "NOPE"}, "programme", "There is no programme “NOPE”: choose one from the list."),
        ({"q": "x" * 101}, "q", "Search for at most 100 characters."),
    ],
)
def test_board_says_what_is_wrong_with_a_filter_and_applies_the_others(client, publicise, query, field, message):
    _batch, (declaration,) = publicise(1)

    response = client.get(reverse("publicity:board"), query)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in response.content.decode() or (
        message in response.content.decode()
    )
    assert [row.number for row in response.context["board"].page] == [declaration.number]


def test_board_survives_junk_in_every_parameter(client, publicise):
    publicise(1)

    for junk in ["", "\x00", "' OR 1=1 --", "<script>", "9" * 40, "1.5", "%", "😀"]:
        for name in ("q", "programme", "batch", "page"):
            assert client.get(reverse("publicity:board"), {name: junk}).status_code == 200


def test_summary_shows_days_left_and_the_hours_left_on_the_last_day(client, publicise):
    batch, _ = publicise(1)

    with on(STARTS_ON):
        first_day = client.get(reverse("publicity:batch", args=[batch.pk])).content.decode()
    # 3 October is a holiday: 8, 9, 10 (a make-up Saturday) and 12 October are left.
    with on(ENDS_ON.replace(day=3)):
        holiday = client.get(reverse("publicity:batch", args=[batch.pk])).content.decode()
    with on(ENDS_ON, hour=15):
        last_day = client.get(reverse("publicity:batch", args=[batch.pk])).content.decode()
    with on(ENDS_ON, hour=23):
        last_hour = client.get(reverse("publicity:batch", args=[batch.pk])).content.decode()

    assert "5 working days left." in first_day
    assert "4 working days left." in holiday
    assert "Last day: less than 9 hours left." in last_day
    assert "Last day: less than 1 hour left." in last_hour
    assert '<time datetime="2026-09-30">Sept. 30, 2026</time>' in first_day
    assert "The period starts on the working day after the list was published." in first_day


def test_summary_says_when_the_opening_day_counts(client, publicise, settings):
    settings.PUBLICITY_COUNTS_OPENING_DAY = True
    batch, _ = publicise(1)

    html = client.get(reverse("publicity:board")).content.decode()

    assert batch.starts_on == OPENED_ON
    assert "The day the list was published counts as the first working day." in html


def test_a_project_stopped_after_confirmation_still_reads_publicity_ended(client, bulk_batch):
    from django.utils import timezone

    batch = bulk_batch(2, closed_at=timezone.now())
    stopped = batch.published_entries.order_by("number").first()
    Declaration.objects.filter(publicity_entries__published=stopped).update(state=S.STOPPED)

    response = client.get(reverse("publicity:batch", args=[batch.pk]))

    assert [row.state_label for row in response.context["data"].page] == ["Publicity ended", "Publicity ended"]


def test_what_the_public_pages_write_in_python_is_escaped(client, staff, publicise, bulk_batch):
    """The lists' summaries and cards, the archive, the rows and the versions are written by
    publicity.tables, not by templates: every text in them is escaped as a template escapes it."""
    from django.utils import timezone

    from publicity.services import EntryCorrection, publicity_version_publish

    batch, (declaration,) = publicise(1)
    with on(STARTS_ON):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog='<b>Bold</b> & "quoted"\nsecond line',
            corrections=[EntryCorrection(entry_id=declaration.publicity_entries.get().pk, title="<script>x</script>")],
        )
    PublicityBatch.objects.filter(pk=batch.pk).update(title_zh="<i>Running</i> & co", title_en="<i>Running</i> & co")
    bulk_batch(2, title="<u>Closed</u>", closed_at=timezone.now())

    with on(STARTS_ON):
        board = client.get(reverse("publicity:board")).content.decode()
        page = client.get(reverse("publicity:batch", args=[batch.pk])).content.decode()

    # The running list's card, the closed list's archive row; each list's group of rows and its
    # option in the search form.
    assert board.count("&lt;i&gt;Running&lt;/i&gt; &amp; co") == 3
    assert board.count("&lt;u&gt;Closed&lt;/u&gt;") == 3
    for html in (board, page):
        assert "<i>" not in html
        assert "<u>" not in html
        assert "<script>x" not in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;<br>second line" in page


def test_a_page_of_rows_is_escaped_cell_by_cell_even_when_a_cell_holds_the_separator():
    """The rows' cells are escaped at once, joined by a null character: a cell holding one (SQLite
    keeps it) would shift every cell after it, so the page is then escaped cell by cell."""
    from types import SimpleNamespace

    from publicity.tables import _escaped_cells

    def row(title):
        return SimpleNamespace(
            number="2026-ART6-0001", programme_code="ART6", unit_name="A & B", credit_code="9111", title=title
        )

    plain = _escaped_cells([row("<b>one</b>"), row("two")])
    assert plain == [
        ["2026-ART6-0001", "ART6", "A &amp; B", "9111", "&lt;b&gt;one&lt;/b&gt;"],
        ["2026-ART6-0001", "ART6", "A &amp; B", "9111", "two"],
    ]
    held = _escaped_cells([row("a\x00<b>"), row("two")])
    assert held == [
        ["2026-ART6-0001", "ART6", "A &amp; B", "9111", "a\x00&lt;b&gt;"],
        ["2026-ART6-0001", "ART6", "A &amp; B", "9111", "two"],
    ]
    assert _escaped_cells([]) == []
