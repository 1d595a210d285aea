"""The submitted declaration as a PDF: who may download it, and what it says in either language;
made by a task, stored for its content's hash, and served as a file while it matches."""

import io
import json

import pytest
import weasyprint
from django.utils import translation
from pypdf import PdfReader

from accounts.models import SecurityEvent
from config.demo import complete_for_submission
from declarations import documents
from declarations.enums import DocumentState
from declarations.models import DeclarationDocument
from declarations.selectors import declaration_standing_commitment
from declarations.services import declaration_submit, declaration_withdraw
from tests import s3

pytestmark = pytest.mark.django_db


def _submitted(declaration, applicant):
    complete_for_submission(declaration, applicant)
    return declaration_submit(declaration_id=declaration.pk, actor=applicant)


class Downloaded:
    """The PDF a browser ends up with (tests.s3.download: the web worker's stream, or the store's
    answer to the signed link the view redirects to): its status, headers and bytes (`pdf`)."""

    def __init__(self, found):
        self.status_code, self.headers, self.pdf = found.status, found.headers, found.content

    def __getitem__(self, header):
        return self.headers[header]


@pytest.fixture
def download(client, django_capture_on_commit_callbacks):
    """GET the PDF as a browser would: the first answer waits for the document (a test's transaction
    holds the task until its commit), which the eager task then makes; the second is the file, from
    whichever storage holds it."""

    def get(url):
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url)
        assert waiting.status_code == 202
        return Downloaded(s3.download(client, url))

    return get


def download_again(client, url):
    """The PDF of a document already made: served at once."""
    return Downloaded(s3.download(client, url))


def _text(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _squeezed(text):
    return "".join(text.split())


@pytest.mark.usefixtures("file_storage")
def test_applicant_downloads_the_submitted_declaration(client, download, applicant, draft):
    declaration = _submitted(draft, applicant)
    commitment = declaration_standing_commitment(declaration)
    client.force_login(applicant)

    response = download(f"/applicant/declarations/{declaration.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{declaration.number}.pdf"'
    assert response.pdf.startswith(b"%PDF")
    text = _text(response.pdf)
    assert declaration.number in text
    assert declaration.title in text
    assert declaration.organisation.credit_code in text
    assert commitment.signatory_name in text
    assert commitment.content_hash in _squeezed(text)
    assert "8,000,000.00" in text  # the ART6 investment amount, grouped by thousands
    assert "50,000,000.00" in _squeezed(text)  # the registered capital
    for attachment in declaration.attachments.all():
        assert attachment.sha256 in _squeezed(text)
    assert "Page 1 of" in text


@pytest.mark.usefixtures("file_storage")
def test_the_pdf_reads_in_chinese_with_the_chinese_commitment(client, download, applicant, draft):
    with translation.override("zh-hans"):
        declaration = _submitted(draft, applicant)
    assert declaration_standing_commitment(declaration).text.startswith("诚信承诺书")
    client.force_login(applicant)
    client.cookies["django_language"] = "zh-hans"

    response = download(f"/applicant/declarations/{declaration.pk}/pdf/")

    assert response.status_code == 200
    text = _text(response.pdf)
    assert "诚信承诺书" in text  # the CJK font is embedded: the text extracts as Chinese
    assert "京科发〔2022〕6号" in _squeezed(text)
    assert declaration.number in text


def test_documents_render_in_the_active_language(applicant, draft):
    with translation.override("zh-hans"):
        declaration = _submitted(draft, applicant)
        text = _text(documents.declaration_pdf(declaration))
    assert "诚信承诺书" in text
    assert "8,000,000.00" in text


def test_the_pdf_says_plainly_when_no_commitment_stands(applicant, draft):
    declaration = _submitted(draft, applicant)
    declaration.commitments.all().delete()

    text = _squeezed(_text(documents.declaration_pdf(declaration)))

    assert _squeezed("No good-faith commitment stands for this declaration") in text


def test_rendering_queries_little_and_fetches_nothing(applicant, draft, django_assert_max_num_queries, monkeypatch):
    declaration = _submitted(draft, applicant)
    with django_assert_max_num_queries(6):
        html = documents.declaration_pdf_html(declaration)
    assert "<link" not in html and "src=" not in html and "url(" not in html

    # Whatever the HTML names, the URL fetcher refuses it: nothing is read from the network or disk.
    asked = []

    class RecordingFetcher(documents.RefusingURLFetcher):
        def fetch(self, url, headers=None):
            asked.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(documents, "RefusingURLFetcher", RecordingFetcher)
    hostile = '<link rel="stylesheet" href="file:///etc/passwd"><img src="https://example.invalid/logo.png">'
    monkeypatch.setattr(documents, "declaration_pdf_html", lambda d: html.replace("<body>", "<body>" + hostile))
    assert documents.declaration_pdf(declaration).startswith(b"%PDF")
    assert sorted(asked) == ["file:///etc/passwd", "https://example.invalid/logo.png"]
    with pytest.raises(ValueError):
        RecordingFetcher().fetch("https://example.invalid/logo.png")


def test_a_draft_has_no_pdf(client, applicant, draft):
    client.force_login(applicant)
    assert client.get(f"/applicant/declarations/{draft.pk}/pdf/").status_code == 404


def test_another_organisation_and_the_anonymous_get_nothing(client, applicant, other_applicant, draft):
    declaration = _submitted(draft, applicant)
    url = f"/applicant/declarations/{declaration.pk}/pdf/"

    assert client.get(url).status_code != 200
    client.force_login(other_applicant)
    assert client.get(url).status_code == 404


@pytest.mark.usefixtures("file_storage")
def test_staff_download_it(client, download, applicant, staff, draft):
    declaration = _submitted(draft, applicant)
    client.force_login(staff)

    response = download(f"/applicant/declarations/{declaration.pk}/pdf/")

    assert response.status_code == 200
    assert declaration.number in _text(response.pdf)


# --- the stored document: made by a task, served while it matches -------------------------------


def _url(declaration, tail=""):
    return f"/applicant/declarations/{declaration.pk}/pdf/{tail}"


def _refuse_rendering(monkeypatch):
    """WeasyPrint fails (or must not be called): every render raises."""
    calls = []

    def failing(*args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("WeasyPrint called")

    monkeypatch.setattr(weasyprint, "HTML", failing)
    monkeypatch.setattr(documents, "HTML", failing)
    return calls


def test_the_content_hash_changes_with_what_the_pdf_shows(applicant, draft):
    declaration = _submitted(draft, applicant)
    first = documents.declaration_content_hash(declaration)
    assert documents.declaration_content_hash(declaration) == first  # the production time is not in it

    declaration.title = "A retitled project"
    declaration.save(update_fields=["title"])
    retitled = documents.declaration_content_hash(declaration)
    declaration_withdraw(declaration_id=declaration.pk, actor=applicant, note="changed our plans")
    withdrawn = documents.declaration_content_hash(declaration)
    declaration.attachments.first().delete()
    fewer_files = documents.declaration_content_hash(declaration)
    with translation.override("zh-hans"):
        in_chinese = documents.declaration_content_hash(declaration)

    assert len({first, retitled, withdrawn, fewer_files, in_chinese}) == 5


@pytest.mark.usefixtures("file_storage")
def test_a_ready_document_is_served_without_rendering(client, download, applicant, draft, monkeypatch):
    declaration = _submitted(draft, applicant)
    client.force_login(applicant)
    made = download(_url(declaration)).pdf
    calls = _refuse_rendering(monkeypatch)

    response = download_again(client, _url(declaration))

    assert response.status_code == 200
    assert response.pdf == made
    assert response["Content-Disposition"] == f'attachment; filename="{declaration.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert calls == []
    document = DeclarationDocument.objects.get(declaration=declaration)
    assert (document.state, document.progress, document.attempts) == (DocumentState.READY, 100, 1)
    assert document.content_hash == documents.declaration_content_hash(declaration)
    exports = SecurityEvent.objects.filter(detail__export="declaration_pdf", object_id=str(declaration.pk))
    assert exports.count() == 2  # one per download served, none for the waiting page


def test_a_stale_document_is_not_served(client, download, applicant, draft, django_capture_on_commit_callbacks):
    declaration = _submitted(draft, applicant)
    client.force_login(applicant)
    download(_url(declaration))
    declaration_withdraw(declaration_id=declaration.pk, actor=applicant, note="changed our plans")

    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(_url(declaration))
    served = client.get(_url(declaration))

    assert waiting.status_code == 202
    assert "The PDF is being prepared" in waiting.content.decode()
    assert DeclarationDocument.objects.filter(declaration=declaration).count() == 2
    assert "Withdrawn" in _text(b"".join(served.streaming_content))


def test_the_status_endpoint_follows_the_document(client, applicant, draft, django_capture_on_commit_callbacks):
    declaration = _submitted(draft, applicant)
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(_url(declaration))
        document = DeclarationDocument.objects.get(declaration=declaration)
        status_url = _url(declaration, f"{document.pk}/status/")
        queued = json.loads(client.get(status_url).content)
    ready = json.loads(client.get(status_url).content)

    assert queued == {
        "state": "queued",
        "label": "Queued",
        "progress": 0,
        "ready": False,
        "failed": False,
        "url": _url(declaration),
    }
    assert ready == {**queued, "state": "ready", "label": "Ready", "progress": 100, "ready": True}
    assert f'data-status-url="{status_url}"' in waiting.content.decode()
    assert DeclarationDocument.objects.filter(declaration=declaration).count() == 1


def test_a_failed_rendering_is_retried_then_shown_with_a_retry(
    client, applicant, draft, monkeypatch, django_capture_on_commit_callbacks
):
    declaration = _submitted(draft, applicant)
    client.force_login(applicant)
    calls = _refuse_rendering(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(declaration))
    failed = client.get(_url(declaration))

    document = DeclarationDocument.objects.get(declaration=declaration)
    assert (document.state, document.attempts, document.file.name) == (DocumentState.FAILED, 4, "")
    assert document.error == "RuntimeError: WeasyPrint called"
    assert len(calls) == 4  # the first attempt and three retries
    assert failed.status_code == 202
    page = failed.content.decode()
    assert "The PDF could not be prepared" in page
    assert f'action="{_url(declaration, "retry/")}"' in page
    assert json.loads(client.get(_url(declaration, f"{document.pk}/status/")).content)["failed"] is True

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(_url(declaration, "retry/"))
    served = client.get(_url(declaration))

    assert retried["Location"] == _url(declaration)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"


def test_the_administrator_reads_a_failed_documents_error(
    client, applicant, administrator, draft, monkeypatch, django_capture_on_commit_callbacks
):
    declaration = _submitted(draft, applicant)
    client.force_login(applicant)
    _refuse_rendering(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(declaration))
    document = DeclarationDocument.objects.get(declaration=declaration)
    client.force_login(administrator)

    page = client.get(f"/admin/declarations/declarationdocument/{document.pk}/change/").content.decode()

    assert "RuntimeError: WeasyPrint called" in page
    assert declaration.number in page


def test_another_organisation_gets_no_document_status_or_retry(client, applicant, other_applicant, draft, download):
    declaration = _submitted(draft, applicant)
    client.force_login(applicant)
    download(_url(declaration))
    document = DeclarationDocument.objects.get(declaration=declaration)
    client.force_login(other_applicant)

    answers = [
        client.get(_url(declaration)),
        client.get(_url(declaration, f"{document.pk}/status/")),
        client.post(_url(declaration, "retry/")),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
