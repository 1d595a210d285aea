"""The printable publicity notice of a batch version, in Chinese (WeasyPrint, as the declaration PDF).

Each version's notice is made once, by a Celery task (`publicity.tasks.make_publicity_notice`), and
kept in the attachments storage under a name of its own: a version never changes, so neither does its
notice. The HTML carries its CSS inline and the URL fetcher refuses every URL."""

from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from common.money import yuan_in_capitals
from declarations.documents import BEIJING, RefusingURLFetcher
from declarations.models import attachment_storage
from publicity.selectors import publicity_batch_rows_for_public, publicity_version_get_for_public

TEMPLATE = "publicity/notice_pdf.html"
LANGUAGE = "zh-hans"


def notice_name(batch, version):
    """The stored notice's name: the batch's opening time in it, so a database made again never
    serves another batch's notice under the same id."""
    return f"publicity/notices/{batch.pk}-{batch.opened_at:%Y%m%d%H%M%S%f}-v{version}.pdf"


def publicity_notice_stored(batch, version):
    """The storage name of the version's notice if it has been made, else None."""
    name = notice_name(batch, version)
    return name if attachment_storage().exists(name) else None


def _notice(batch_id, version):
    """The batch, the version's number and the notice's HTML in Chinese: the list with each amount
    in figures and in capitals, the period, how and until when to object, the commission's contact."""
    with translation.override(LANGUAGE), timezone.override(BEIJING):
        batch, rows = publicity_batch_rows_for_public(pk=batch_id, version=version)
        number = version or batch.version
        total = sum((row.amount for row in rows), Decimal("0.00"))
        html = render_to_string(
            TEMPLATE,
            {
                "batch": batch,
                "version": publicity_version_get_for_public(batch=batch, number=number),
                "rows": [(row, yuan_in_capitals(row.amount)) for row in rows],
                "total": total,
                "total_in_capitals": yuan_in_capitals(total),
                "contact": settings.PUBLICITY_CONTACT,
                "generated_at": timezone.now(),
            },
        )
    return batch, number, html


def publicity_notice_html(*, batch_id, version=None):
    return _notice(batch_id, version)[2]


def publicity_notice_make(*, batch_id, version=None):
    """Render the version's notice (None: the current one) and store it, unless it is there
    already. Returns its storage name."""
    batch, number, html = _notice(batch_id, version)
    name = notice_name(batch, number)
    storage = attachment_storage()
    if not storage.exists(name):
        pdf = HTML(string=html, url_fetcher=RefusingURLFetcher()).write_pdf()
        saved = storage.save(name, ContentFile(pdf))
        if saved != name:  # another worker stored it meanwhile
            storage.delete(saved)
    return name
