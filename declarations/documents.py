"""The submitted declaration as a PDF (WeasyPrint): the record an applicant keeps and staff file.

The document is built from the database alone: the template carries all its CSS inline, and the
URL fetcher refuses every URL, so rendering never reads the network or a file named by the
document. Text is set in Noto Sans CJK SC (fontconfig), which WeasyPrint embeds as a subset.
"""

import hashlib
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from declarations import document_services, selectors, services
from declarations.evidence import EVIDENCE, evidence_label
from declarations.models import Declaration
from declarations.programmes import PROGRAMMES

# Importing WeasyPrint tells Pillow, for the whole process, to accept images cut short. The evidence
# check (validators.evidence_file_type) must refuse them, and the PDF reads no image (the fetcher
# refuses every URL), so the process keeps Pillow's strict default.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATE = "declarations/pdf.html"
# The progress a waiting reader sees, after the claim (5): HTML rendered, laid out (then 100: stored).
PROGRESS_RENDERED, PROGRESS_LAID_OUT = 15, 70
# Times in the document are Beijing time whatever the reader's or server's time zone.
BEIJING = ZoneInfo("Asia/Shanghai")


class FetchRefused(ValueError):
    pass


class RefusingURLFetcher(URLFetcher):
    """WeasyPrint's url_fetcher for the PDF: every URL is refused, from the network or from disk.

    WeasyPrint catches the ValueError, warns, and renders without the resource. (WeasyPrint 70 wants
    a URLFetcher here, not a bare function: it reads the fetcher's `_fail_on_errors`.)"""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url, headers=None):
        raise FetchRefused(f"The declaration PDF fetches no URL ({url[:80]}).")


def declaration_pdf(declaration) -> bytes:
    """The declaration with its organisation, facts, award cap, evidence, good-faith commitment and
    history, in the active language, as PDF bytes."""
    return _pdf(declaration_pdf_html(declaration))


def _pdf(html, on_laid_out=None) -> bytes:
    """WeasyPrint's two steps, layout then writing, with `on_laid_out()` called between them."""
    document = HTML(string=html, url_fetcher=RefusingURLFetcher()).render()
    if on_laid_out is not None:
        on_laid_out()
    return document.write_pdf()


def declaration_pdf_html(declaration) -> str:
    """The HTML the PDF is made from (a handful of queries, whatever the number of files and events)."""
    return _render(_context(declaration), generated_at=timezone.now())


def declaration_content_hash(declaration) -> str:
    """The SHA-256 of everything the declaration's PDF shows in the active language: its HTML with no
    production time. Any change to the content, the commitment, the evidence, the state or the
    history gives another hash, so a stored document is served only while it matches."""
    return _hash(_render(_context(declaration), generated_at=None))


def _hash(html):
    return hashlib.sha256(html.encode()).hexdigest()


def _render(context, *, generated_at):
    with timezone.override(BEIJING):
        return render_to_string(TEMPLATE, {**context, "generated_at": generated_at})


def _context(declaration):
    declaration = (
        Declaration.objects.select_related("organisation", "programme", "call")
        .prefetch_related("attachments")
        .get(pk=declaration.pk)
    )
    code = declaration.programme.code
    with timezone.override(BEIJING):
        standing = selectors.declaration_standing_commitment(declaration)
        return {
            "declaration": declaration,
            "organisation": declaration.organisation,
            "facts": [(fact, declaration.facts.get(fact.name)) for fact in PROGRAMMES[code].facts],
            "award": selectors.declaration_award_summary(declaration),
            "attachments": _attachments(declaration),
            "commitment": standing,
            # commitment_covers reads the attachments prefetched above.
            "covers": standing is not None and services.commitment_covers(standing, declaration),
            "events": list(selectors.declaration_events(declaration)),
        }


def declaration_document_render(*, document_id):
    """Make a queued document's PDF, once. In order: claim the document (locked: queued, or
    rendering for longer than RENDER_TIMEOUT, i.e. its worker died; anything else returns);
    render the HTML in the document's language; if it no longer has the document's hash (the
    declaration changed since), mark the document failed and stop (the next request names the new
    version); else lay it out, write the PDF, store it and mark the document ready, with progress
    at each step. An exception leaves the document rendering; the task retries or fails it."""
    document = document_services.declaration_document_claim(document_id=document_id)
    if document is None:
        return None
    with translation.override(document.language):
        context = _context(document.declaration)
        if _hash(_render(context, generated_at=None)) != document.content_hash:
            document_services.declaration_document_fail(
                document_id=document_id, error="superseded: the declaration changed since it was queued", final=True
            )
            return None
        html = _render(context, generated_at=timezone.now())
    document_services.declaration_document_progress(document_id=document_id, progress=PROGRESS_RENDERED)
    pdf = _pdf(
        html,
        on_laid_out=lambda: document_services.declaration_document_progress(
            document_id=document_id, progress=PROGRESS_LAID_OUT
        ),
    )
    return document_services.declaration_document_store(document_id=document_id, pdf=pdf)


def _attachments(declaration):
    """The evidence files in the order the programme lists its evidence kinds, each with its label."""
    code = declaration.programme.code
    order = {evidence.code: position for position, evidence in enumerate(EVIDENCE[code])}
    files = sorted(declaration.attachments.all(), key=lambda a: (order.get(a.evidence, len(order)), a.uploaded_at))
    return [(evidence_label(code, attachment.evidence), attachment) for attachment in files]
