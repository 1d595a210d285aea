"""In a real browser: an applicant asks for their declaration's PDF while the worker has not made it
yet, sees the page that waits for it (progress, nothing the Content-Security-Policy refuses), and the
download starts by itself once the worker has made it; a PDF already made downloads at once."""

import pytest
from playwright.sync_api import expect

from config.demo import complete_for_submission
from declarations import document_services
from declarations.enums import DocumentState
from declarations.models import DeclarationDocument
from declarations.services import declaration_submit
from declarations.tasks import render_declaration_document
from tests.browser.conftest import login
from tests.factories import PASSWORD, ApplicantFactory, CallFactory, DeclarationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class BusyWorker:
    """The Celery task as a worker busy elsewhere sees it: queued, not run until the test says so."""

    def __init__(self):
        self.queued = []

    def delay(self, *, document_id):
        self.queued.append(document_id)


def test_the_pdf_is_prepared_then_downloads_by_itself(live_server, page, output_dir, monkeypatch):
    applicant = ApplicantFactory(username="browser-pdf")
    declaration = DeclarationFactory(organisation=applicant.organisation, call=CallFactory(), created_by=applicant)
    complete_for_submission(declaration, applicant)
    declaration = declaration_submit(declaration_id=declaration.pk, actor=applicant)
    worker = BusyWorker()
    monkeypatch.setattr(document_services, "render_declaration_document", worker)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content-Security-Policy" in message.text else None
    )
    login(page, live_server, "browser-pdf", PASSWORD)

    page.goto(f"{live_server.url}/applicant/declarations/{declaration.pk}/")
    page.get_by_role("link", name="Download as PDF").click()
    expect(page.get_by_role("heading", name=f"PDF of declaration {declaration.number}")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The PDF is being prepared")
    page.screenshot(path=output_dir / "declaration-pdf-preparing.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=output_dir / "declaration-pdf-preparing-390.png", full_page=True)
    assert len(worker.queued) == 1

    with page.expect_download(timeout=15000) as download:
        render_declaration_document.apply(kwargs={"document_id": worker.queued[0]})
    assert download.value.suggested_filename == f"{declaration.number}.pdf"
    expect(page.get_by_text("The PDF is ready.")).to_be_visible()
    page.screenshot(path=output_dir / "declaration-pdf-ready-390.png", full_page=True)
    assert DeclarationDocument.objects.get(pk=worker.queued[0]).state == DocumentState.READY

    # Made already: the link downloads the file at once.
    page.goto(f"{live_server.url}/applicant/declarations/{declaration.pk}/")
    with page.expect_download() as again:
        page.get_by_role("link", name="Download as PDF").click()
    assert again.value.suggested_filename == f"{declaration.number}.pdf"
    assert refused == []
