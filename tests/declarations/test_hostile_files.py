"""The hostile evidence corpus (tests/hostile_files) uploaded through the applicant's attachment
step: every file refused at the field, nothing stored; and what is kept and served is named safely."""

import pytest
from django.core.files.storage import storages

from config.demo import evidence_pdf
from declarations.models import Attachment
from tests.declarations.test_attachments import (
    add,
    download_url,
    image_bytes,
    served,
    stored_files,
    upload,
)
from tests.hostile_files import hostile_files
from tests.hostile_files.build import CASES, pdf

pytestmark = pytest.mark.django_db

HOSTILE = hostile_files()


def test_the_corpus_is_what_its_script_builds_and_holds_at_least_thirty_files():
    assert len(HOSTILE) >= 30
    assert [(case_id, name, message) for case_id, name, _content, message in HOSTILE] == [
        (case_id, name, message) for case_id, name, _content, message in CASES
    ]


@pytest.mark.parametrize(("name", "content", "message"), [case[1:] for case in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_every_hostile_file_is_refused_at_the_field_and_nothing_is_stored(
    client, draft, applicant, name, content, message
):
    client.force_login(applicant)

    response = upload(client, draft, "payment_proof", name, content)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.filter(declaration=draft).exists()
    assert stored_files(storages["attachments"], draft) == []


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ('C:\\fakepath\\pay\x00ment \x1b[31m"proof".pdf', "payment [31mproof.pdf"),
        ("../../etc/receipt.PDF", "receipt.pdf"),
        ("receipt.pdf. . ", "receipt.pdf"),
        ("receipt.jpg.pdf", "receipt.jpg.pdf"),
        (".pdf", "evidence.pdf"),
    ],
)
def test_the_name_kept_has_no_folders_or_control_characters_and_ends_in_its_types_extension(
    draft, applicant, typed, kept
):
    assert add(draft, applicant, name=typed).original_name == kept


def test_a_jpeg_named_jpeg_is_kept_under_the_jpg_extension(client, draft, applicant):
    client.force_login(applicant)

    upload(client, draft, "payment_proof", "photo.JPEG", image_bytes("JPEG"))

    assert Attachment.objects.get(declaration=draft).original_name == "photo.jpg"


def test_a_name_kept_before_names_were_checked_is_downloaded_under_its_types_extension(client, draft, applicant):
    attachment = add(draft, applicant, name="receipt.pdf")
    Attachment.objects.filter(pk=attachment.pk).update(original_name="receipt.pdf.html")
    client.force_login(applicant)

    response = client.get(download_url(attachment))

    assert response["Content-Disposition"] == 'attachment; filename="receipt.pdf.pdf"'


def test_a_file_is_downloaded_as_an_attachment_even_when_asked_inline(client, draft, applicant):
    attachment = add(draft, applicant, name="receipt.pdf")
    client.force_login(applicant)

    response = client.get(download_url(attachment) + "?inline=1")

    assert served(response) == evidence_pdf("business_licence receipt.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="receipt.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_with_a_harmless_opening_action_and_trailing_whitespace_is_accepted(client, draft, applicant):
    content = pdf(catalog_extra=b"/OpenAction [3 0 R /Fit]") + b"\r\n \x00"
    client.force_login(applicant)

    assert upload(client, draft, "payment_proof", "receipt.pdf", content).status_code == 302
    assert Attachment.objects.get(declaration=draft).sha256


def test_the_file_field_is_refused_not_a_server_error_for_a_pdf_pypdf_cannot_read(client, draft, applicant):
    content = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nstartxref\n9\n%%EOF\n"
    client.force_login(applicant)

    response = upload(client, draft, "payment_proof", "receipt.pdf", content)

    assert "This PDF is incomplete or damaged" in " ".join(response.context["form"].errors["file"])
