"""A payment order as a PDF (WeasyPrint): the document the bank transfer is made from, with the
unit's account in full (the only place outside the finance pages that shows it)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from common.money import yuan_in_capitals
from declarations.documents import BEIJING, RefusingURLFetcher

TEMPLATE = "disbursement/order_pdf.html"


def payment_order_pdf(order) -> bytes:
    return HTML(string=payment_order_html(order), url_fetcher=RefusingURLFetcher()).write_pdf()


def payment_order_html(order) -> str:
    with timezone.override(BEIJING):
        return render_to_string(
            TEMPLATE,
            {
                "order": order,
                "declaration": order.declaration,
                "organisation": order.declaration.organisation,
                "amount_in_capitals": yuan_in_capitals(order.amount),
                "events": list(order.events.select_related("actor")),
                "generated_at": timezone.now(),
            },
        )
