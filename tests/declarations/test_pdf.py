"""The submitted declaration as a PDF: who may download it, and what it says in either language."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from config.demo import complete_for_submission
from declarations import documents
from declarations.selectors import declaration_standing_commitment
from declarations.services import declaration_submit

pytestmark = pytest.mark.django_db


def _submitted(declaration, applicant):
    complete_for_submission(declaration, applicant)
    return declaration_submit(declaration_id=declaration.pk, actor=applicant)


def _text(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _squeezed(text):
    return "".join(text.split())


def test_applicant_downloads_the_submitted_declaration(client, applicant, draft):
    declaration = _submitted(draft, applicant)
    commitment = declaration_standing_commitment(declaration)
    client.force_login(applicant)

    response = client.get(f"/applicant/declarations/{declaration.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{declaration.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
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


def test_the_pdf_reads_in_chinese_with_the_chinese_commitment(client, applicant, draft):
    with translation.override("zh-hans"):
        declaration = _submitted(draft, applicant)
    assert declaration_standing_commitment(declaration).text.startswith("诚信承诺书")
    client.force_login(applicant)
    client.cookies["django_language"] = "zh-hans"

    response = client.get(f"/applicant/declarations/{declaration.pk}/pdf/")

    assert response.status_code == 200
    text = _text(response.content)
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


def test_staff_download_it(client, applicant, staff, draft):
    declaration = _submitted(draft, applicant)
    client.force_login(staff)

    response = client.get(f"/applicant/declarations/{declaration.pk}/pdf/")

    assert response.status_code == 200
    assert declaration.number in _text(response.content)
