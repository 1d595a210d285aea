"""The submitted declaration as a PDF (WeasyPrint): the record an applicant keeps and staff file.

The document is built from the database alone: the template carries all its CSS inline, and the
URL fetcher refuses every URL, so rendering never reads the network or a file named by the
document. Text is set in Noto Sans CJK SC (fontconfig), which WeasyPrint embeds as a subset.
"""

from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from declarations import selectors, services
from declarations.evidence import EVIDENCE, evidence_label
from declarations.models import Declaration
from declarations.programmes import PROGRAMMES

# Importing WeasyPrint tells Pillow, for the whole process, to accept images cut short. The evidence
# check (validators.evidence_file_type) must refuse them, and the PDF reads no image (the fetcher
# refuses every URL), so the process keeps Pillow's strict default.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATE = "declarations/pdf.html"
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
    return HTML(string=declaration_pdf_html(declaration), url_fetcher=RefusingURLFetcher()).write_pdf()


def declaration_pdf_html(declaration) -> str:
    """The HTML the PDF is made from (a handful of queries, whatever the number of files and events)."""
    declaration = (
        Declaration.objects.select_related("organisation", "programme", "call")
        .prefetch_related("attachments")
        .get(pk=declaration.pk)
    )
    code = declaration.programme.code
    with timezone.override(BEIJING):
        standing = selectors.declaration_standing_commitment(declaration)
        return render_to_string(
            TEMPLATE,
            {
                "declaration": declaration,
                "organisation": declaration.organisation,
                "facts": [(fact, declaration.facts.get(fact.name)) for fact in PROGRAMMES[code].facts],
                "award": selectors.declaration_award_summary(declaration),
                "attachments": _attachments(declaration),
                "commitment": standing,
                # commitment_covers reads the attachments prefetched above.
                "covers": standing is not None and services.commitment_covers(standing, declaration),
                "events": list(selectors.declaration_events(declaration)),
                "generated_at": timezone.now(),
            },
        )


def _attachments(declaration):
    """The evidence files in the order the programme lists its evidence kinds, each with its label."""
    code = declaration.programme.code
    order = {evidence.code: position for position, evidence in enumerate(EVIDENCE[code])}
    files = sorted(declaration.attachments.all(), key=lambda a: (order.get(a.evidence, len(order)), a.uploaded_at))
    return [(evidence_label(code, attachment.evidence), attachment) for attachment in files]
