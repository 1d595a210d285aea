"""Evidence upload per kind of evidence: each kind its own control, several files in one post, and a
refused file that leaves the others kept, with its message at its kind's control."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.demo import evidence_pdf
from declarations.evidence import EVIDENCE
from declarations.models import Attachment
from tests.declarations.test_applicant_site import steps_url
from tests.declarations.test_attachments import add

pytestmark = pytest.mark.django_db


def _pdf(name):
    return SimpleUploadedFile(name, evidence_pdf(name), "application/pdf")


def _item(page, code):
    """The HTML of one kind of evidence's list item on the attachments step."""
    match = re.search(rf'<li [^>]*id="item-{code}".*?</li>\s*(?=<li |</ul>\s*</div></section>)', page, re.S)
    assert match, f"no item for {code}"
    return match.group(0)


def test_each_kind_of_evidence_has_its_own_control_for_several_files_and_no_kind_drop_down(client, draft, applicant):
    client.force_login(applicant)

    page = client.get(steps_url(draft, "attachments")).content.decode()

    kinds = [e.code for e in EVIDENCE[draft.programme.code]]
    assert re.findall(r'<input type="hidden" name="evidence" value="(\w+)"', page) == kinds
    controls = re.findall(r'<input type="file" name="file"[^>]*>', page)
    assert [re.search(r'id="id_(\w+)_file"', control).group(1) for control in controls] == kinds
    assert all(" multiple " in control for control in controls)
    assert '<select name="evidence"' not in page
    licence = _item(page, "business_licence")
    assert '<label class="form-label fw-semibold mb-0" for="id_business_licence_file">' in licence
    assert "data-missing" in licence
    assert "data-missing" not in _item(page, "other")  # optional


def test_several_files_in_one_post_are_all_kept_and_the_page_moves_on_to_the_next_missing_kind(
    client, draft, applicant
):
    client.force_login(applicant)

    response = client.post(
        steps_url(draft, "attachments"),
        {"evidence": "business_licence", "file": [_pdf("licence p1.pdf"), _pdf("licence p2.pdf")]},
    )

    assert response.status_code == 302
    assert response["Location"] == steps_url(draft, "attachments") + "#item-manager_registration"
    assert sorted(draft.attachments.values_list("evidence", "original_name")) == [
        ("business_licence", "licence p1.pdf"),
        ("business_licence", "licence p2.pdf"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "licence p1.pdf was attached." in page
    assert "licence p2.pdf was attached." in page


def test_one_refused_file_leaves_the_others_kept_and_is_named_at_its_kinds_control(client, draft, applicant):
    client.force_login(applicant)
    fake = SimpleUploadedFile("fake.pdf", b"This is plain text, not a PDF.\n", "application/pdf")
    empty = SimpleUploadedFile("empty.pdf", b"", "application/pdf")

    response = client.post(
        steps_url(draft, "attachments"),
        {"evidence": "payment_proof", "file": [_pdf("receipt 1.pdf"), fake, _pdf("receipt 2.pdf"), empty]},
    )

    assert response.status_code == 200
    assert sorted(draft.attachments.values_list("original_name", flat=True)) == ["receipt 1.pdf", "receipt 2.pdf"]
    errors = response.context["form"].errors["file"]
    assert [error.split(":", 1)[0] for error in errors] == ["fake.pdf", "empty.pdf"]
    assert "Only PDF, JPEG and PNG files are accepted" in errors[0]
    assert "The submitted file is empty." in errors[1]
    page = response.content.decode().replace("&#x27;", "'")
    item = _item(page, "payment_proof")
    assert 'id="id_payment_proof_file_errors"><li>fake.pdf: ' in item
    assert "<li>empty.pdf: The submitted file is empty.</li>" in item
    assert 'aria-invalid="true"' in item
    assert 'aria-describedby="id_payment_proof_file_helptext id_payment_proof_file_errors"' in item
    assert "receipt 1.pdf" in item
    assert page.count('aria-invalid="true"') == 1  # the other kinds' controls are untouched
    assert "2 files were not attached; the messages at their control say why." in page
    assert "receipt 2.pdf was attached." in page


def test_when_every_refused_file_is_refused_nothing_is_kept(client, draft, applicant):
    client.force_login(applicant)
    fake = SimpleUploadedFile("fake.pdf", b"not a PDF", "application/pdf")

    response = client.post(steps_url(draft, "attachments"), {"evidence": "payment_proof", "file": [fake]})

    assert response.status_code == 200
    assert not Attachment.objects.filter(declaration=draft).exists()
    assert "fake.pdf: Only PDF, JPEG and PNG files are accepted" in _item(
        response.content.decode().replace("&#x27;", "'"), "payment_proof"
    )


def test_the_last_missing_kind_uploaded_moves_on_to_the_way_to_the_next_step(client, draft, applicant):
    required = [e.code for e in EVIDENCE[draft.programme.code] if e.required]
    for code in required[:-1]:
        add(draft, applicant, evidence=code)
    client.force_login(applicant)

    response = client.post(steps_url(draft, "attachments"), {"evidence": required[-1], "file": _pdf("last.pdf")})

    assert response["Location"] == steps_url(draft, "attachments") + "#attachments-done"
