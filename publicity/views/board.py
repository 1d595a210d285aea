"""The public board: no login. Every page reads through publicity.selectors (published rows only)
and is cached until the board changes or the hour ends (publicity.cache)."""

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _

from common.http import query_without_page
from declarations.models import attachment_storage
from publicity.cache import public_page_cached
from publicity.documents import publicity_notice_stored
from publicity.exports import publicity_batch_csv
from publicity.feeds import PublicityFeed
from publicity.forms import BoardSearch
from publicity.selectors import (
    programme_list_for_board,
    publicity_archive_for_public,
    publicity_batch_for_public,
    publicity_batch_get_for_public,
    publicity_batch_rows_for_public,
    publicity_board_for_public,
)
from publicity.tables import (
    BoardLists,
    EntriesTable,
    Pagination,
    archive_rows,
    batch_summary,
    page_texts,
    search_form,
    version_items,
)
from publicity.tasks import make_publicity_notice

# How long a reader is asked to wait for a notice being made.
NOTICE_RETRY_AFTER = 10


def _page(request, build):
    """A cached page: `build(now)` returns its title and content, rendered without the request
    (no context processor, no CSRF token); the layout around them is rendered for each request."""
    title, content = public_page_cached(request, build)
    return render(request, "publicity/public_page.html", {"title": title, "content": content})


def board(request):
    def build(now):
        form = BoardSearch(request.GET, programmes=programme_list_for_board())
        filters = form.filters()
        data = publicity_board_for_public(**filters, page=request.GET.get("page"), now=now)
        form.show_batches(data.menu, found=data.batch_found)
        texts, query = page_texts(), query_without_page(request)
        context = {
            "board": data,
            "lists": BoardLists(data, texts),
            "table": EntriesTable(data.page, grouped=True, texts=texts),
            "pages": Pagination(data.page, query, texts),
            "form": form,
            "search_form": search_form(form, query, texts),
        }
        return _("Publicity board"), render_to_string("publicity/board.html", context)

    return _page(request, build)


def archive(request):
    def build(now):
        page = publicity_archive_for_public(page=request.GET.get("page"), now=now)
        texts = page_texts()
        context = {
            "page": page,
            "rows": archive_rows(page.object_list, texts),
            "pages": Pagination(page, query_without_page(request), texts),
        }
        return _("Archive of the publicity board"), render_to_string("publicity/archive.html", context)

    return _page(request, build)


def batch(request, pk):
    return _batch_page(request, pk, None)


def version(request, pk, number):
    return _batch_page(request, pk, number)


def _batch_page(request, pk, number):
    def build(now):
        form = BoardSearch(request.GET, with_filters=False)
        q = form.filters()["q"]
        data = publicity_batch_for_public(pk=pk, version=number, q=q, page=request.GET.get("page"), now=now)
        texts, query = page_texts(), query_without_page(request)
        context = {
            "data": data,
            "batch": data.batch,
            "summary": batch_summary(data.batch, texts) if number is None else None,
            "table": EntriesTable(data.page, grouped=False, texts=texts),
            "pages": Pagination(data.page, query, texts),
            "version_items": version_items(data.versions, data.batch, texts),
            "form": form,
            "search_form": search_form(form, query, texts),
        }
        template = "publicity/batch.html" if number is None else "publicity/version.html"
        title = (
            data.batch.title
            if number is None
            else _("%(title)s, version %(number)d")
            % {
                "title": data.batch.title,
                "number": number,
            }
        )
        return title, render_to_string(template, context)

    return _page(request, build)


def _version_param(request):
    """?version=N for an export of an earlier version; anything else than a positive number: 404."""
    value = request.GET.get("version")
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 10**6:
        raise Http404("No such version")
    return int(value)


def batch_csv(request, pk):
    number = _version_param(request)

    def build(now):
        data, rows = publicity_batch_rows_for_public(pk=pk, version=number)
        return publicity_batch_csv(data, rows), data.version

    content, current = public_page_cached(request, build)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="publicity-{pk}-v{number or current}.csv"'
    return response


def notice_pdf(request, pk):
    """The version's printable notice; made by a task the first time (at once where tasks run
    eagerly), meanwhile a page asks the reader to come back (202, Retry-After)."""
    number = _version_param(request)
    data = publicity_batch_get_for_public(pk=pk, version=number)
    number = number or data.version
    stored = publicity_notice_stored(data, number)
    if stored is None:
        # One task per notice, however many readers ask while it is being made.
        if cache.add(f"publicity:notice:{data.pk}:{number}:{data.opened_at.timestamp()}", 1, timeout=300):
            make_publicity_notice.delay(batch_id=data.pk, version=number)
        stored = publicity_notice_stored(data, number)
    if stored is None:
        response = render(request, "publicity/notice_preparing.html", {"batch": data, "number": number}, status=202)
        response["Retry-After"] = str(NOTICE_RETRY_AFTER)
        return response
    return FileResponse(
        attachment_storage().open(stored, "rb"),
        content_type="application/pdf",
        filename=f"publicity-notice-{data.pk}-v{number}.pdf",
    )


def feed(request):
    def build(now):
        response = PublicityFeed()(request)
        return response.content, response["Content-Type"]

    content, content_type = public_page_cached(request, build)
    return HttpResponse(content, content_type=content_type)


urlpatterns = [
    path("", board, name="board"),
    path("feed/", feed, name="feed"),
    path("archive/", archive, name="archive"),
    path("<int:pk>/", batch, name="batch"),
    path("<int:pk>/v<int:number>/", version, name="version"),
    path("<int:pk>/csv", batch_csv, name="batch_csv"),
    path("<int:pk>/notice.pdf", notice_pdf, name="notice_pdf"),
]
