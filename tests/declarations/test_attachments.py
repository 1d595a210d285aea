"""Evidence files: what is accepted, what is refused at the field, who may read a file, removal, and
completeness at submission; each test on the file system and again on an S3-compatible store."""

import hashlib
import re
import zipfile
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from config.demo import complete_for_submission, evidence_pdf
from declarations.enums import DeclarationState as S
from declarations.evidence import EVIDENCE
from declarations.models import Attachment, Declaration
from declarations.services import (
    attachment_add,
    commitment_sign,
    declaration_submission_problems,
    declaration_submit,
)
from declarations.workflow import TransitionRefused
from tests.declarations.test_applicant_site import steps_url
from tests.factories import ApplicantFactory, DeclarationFactory
from tests.s3 import download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_storage")]


@pytest.fixture
def storage():
    """The storage evidence files go to: a folder or a bucket's prefix of this test's own (tests/conftest.py)."""
    return storages["attachments"]


def image_bytes(kind, size=(48, 32)):
    buffer = BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, kind)
    return buffer.getvalue()


def zip_bytes():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("agreement.pdf", evidence_pdf("inside a zip"))
    return buffer.getvalue()


def pdf_of_size(size):
    """A valid PDF of exactly `size` bytes (its shown text makes up the length)."""
    for n in range(size):
        pdf = evidence_pdf("x" * n)
        if len(pdf) == size:
            return pdf
        if len(pdf) > size:
            break
    raise AssertionError(f"no PDF of exactly {size} bytes")


def attachments_url(declaration):
    return steps_url(declaration, "attachments")


def download_url(attachment, declaration=None):
    pk = (declaration or attachment.declaration).pk
    return f"/applicant/declarations/{pk}/attachments/{attachment.pk}/"


def remove_url(attachment, declaration=None):
    return download_url(attachment, declaration) + "remove/"


def upload(client, declaration, evidence, name, content, content_type="application/octet-stream"):
    return client.post(
        attachments_url(declaration),
        {"evidence": evidence, "file": SimpleUploadedFile(name, content, content_type)},
    )


def add(declaration, actor, evidence="business_licence", name="licence.pdf", content=None):
    return attachment_add(
        declaration_id=declaration.pk,
        actor=actor,
        evidence=evidence,
        uploaded_file=ContentFile(content or evidence_pdf(f"{evidence} {name}"), name),
    )


def stored_files(storage, declaration):
    try:
        return sorted(storage.listdir(f"declarations/{declaration.pk}")[1])
    except FileNotFoundError:  # a folder on disk is made with its first file; a bucket has no folders
        return []


def served(response):
    """The bytes a file-system download streamed (on an object store: tests.s3.download)."""
    return b"".join(response.streaming_content)


def read_stored(attachment):
    with attachment.file.open("rb") as handle:
        return handle.read()


# Accepted files


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("Investment agreement.pdf", evidence_pdf("Investment agreement"), "application/pdf", "pdf"),
        ("receipt.jpg", image_bytes("JPEG"), "image/jpeg", "jpg"),
        ("receipt.png", image_bytes("PNG"), "image/png", "png"),
    ],
    ids=["pdf", "jpeg", "png"],
)
def test_a_pdf_a_jpeg_and_a_png_are_accepted_and_recorded_with_their_fingerprint(
    client, draft, applicant, storage, name, content, content_type, extension
):
    client.force_login(applicant)

    response = upload(client, draft, "payment_proof", name, content)

    assert response.status_code == 302
    assert response["Location"] == attachments_url(draft) + "#item-business_licence"  # the next missing kind
    attachment = Attachment.objects.get(declaration=draft)
    assert attachment.evidence == "payment_proof"
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == name
    assert attachment.uploaded_by == applicant
    assert attachment.file.name.endswith(f".{extension}")
    assert storage.exists(attachment.file.name)
    assert read_stored(attachment) == content
    page = client.get(attachments_url(draft)).content.decode()
    assert download_url(attachment) in page


def test_content_decides_the_type_and_the_name_must_agree_with_it(client, draft, applicant):
    png = image_bytes("PNG")
    client.force_login(applicant)

    refused = upload(client, draft, "payment_proof", "scan.pdf", png, "application/pdf")
    upload(client, draft, "payment_proof", "scan.PNG", png, "application/pdf")

    assert "its name must end in .png" in " ".join(refused.context["form"].errors["file"])
    attachment = Attachment.objects.get(declaration=draft)
    assert (attachment.content_type, attachment.original_name) == ("image/png", "scan.png")
    assert attachment.file.name.endswith(".png")
    assert download(client, download_url(attachment)).headers["Content-Type"] == "image/png"


def test_a_file_exactly_at_the_size_limit_is_accepted(client, draft, applicant, settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    content = pdf_of_size(2048)
    client.force_login(applicant)

    assert upload(client, draft, "payment_proof", "limit.pdf", content).status_code == 302

    assert Attachment.objects.get(declaration=draft).size == 2048


def test_the_name_kept_is_the_file_name_without_folders_or_control_characters(draft, applicant):
    attachment = add(draft, applicant, name='C:\\fakepath\\pay\x00ment "proof".pdf')

    assert attachment.original_name == "payment proof.pdf"


# Refused files


def _text_named_pdf():
    return "statement.pdf", b"This is a bank statement, honestly.\n" * 20


def _html():
    return "statement.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _zip():
    return "evidence.zip", zip_bytes()


def _empty():
    return "empty.pdf", b""


def _one_byte_too_large():
    return "large.pdf", pdf_of_size(2049)


def _truncated_pdf():
    pdf = evidence_pdf("cut short")
    return "cut.pdf", pdf[: pdf.rindex(b"%%EOF")]


def _damaged_png():
    return "scan.png", image_bytes("PNG")[:16] + b"\x00junk" * 100


def _damaged_jpeg():
    jpeg = image_bytes("JPEG", size=(400, 300))
    return "photo.jpg", jpeg[:200] + b"\x00" * (len(jpeg) - 200)


def _too_many_pixels():
    buffer = BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")
    return "huge.png", buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "evidence", "field", "message"),
    [
        (_text_named_pdf, "payment_proof", "file", "Only PDF, JPEG and PNG files are accepted"),
        (_html, "payment_proof", "file", "Only PDF, JPEG and PNG files are accepted"),
        (_zip, "payment_proof", "file", "this file's content is none of them (application/zip)"),
        (_empty, "payment_proof", "file", "The submitted file is empty."),
        (_one_byte_too_large, "payment_proof", "file", "The file is 2,049 bytes; the largest accepted is 2,048 bytes."),
        (_truncated_pdf, "payment_proof", "file", "This PDF is incomplete or damaged"),
        (_damaged_png, "payment_proof", "file", "This image is damaged and cannot be read"),
        (lambda: ("loan.pdf", evidence_pdf("loan")), "loan_contract", "evidence", "Select a valid choice."),
        (None, "payment_proof", "file", "This field is required."),
    ],
    ids=[
        "fake-pdf",
        "html",
        "zip",
        "empty",
        "one-byte-over-the-limit",
        "truncated-pdf",
        "damaged-png",
        "evidence-of-another-programme",
        "no-file",
    ],
)
def test_a_refused_file_is_named_at_its_field_and_nothing_is_stored(
    client, draft, applicant, storage, settings, make, evidence, field, message
):
    settings.ATTACHMENT_MAX_BYTES = 2048
    earlier = add(draft, applicant, name="licence.pdf")
    client.force_login(applicant)

    if make is None:
        response = client.post(attachments_url(draft), {"evidence": evidence})
    else:
        response = upload(client, draft, evidence, *make())

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert list(Attachment.objects.filter(declaration=draft)) == [earlier]
    assert stored_files(storage, draft) == [earlier.file.name.rsplit("/", 1)[-1]]
    assert read_stored(earlier) == evidence_pdf("business_licence licence.pdf")


def test_the_service_refuses_evidence_the_programme_does_not_list(draft, applicant):
    with pytest.raises(TransitionRefused, match="not part of this programme"):
        add(draft, applicant, evidence="loan_contract")

    assert not draft.attachments.exists()


# Who may read a file


@pytest.fixture
def draft_attachment(draft, applicant):
    return add(draft, applicant, evidence="payment_proof", name="payment receipt.pdf")


@pytest.fixture
def attachment(draft, applicant, draft_attachment):
    """An evidence file of a submitted declaration: from then on others may read it."""
    complete_for_submission(draft, applicant)
    declaration_submit(declaration_id=draft.pk, actor=applicant)
    return draft_attachment


def _colleague(request):
    applicant = request.getfixturevalue("applicant")
    return ApplicantFactory(username="colleague-a", organisation=applicant.organisation)


def _assigned_reviewer(request):
    from review.models import ReviewAssignment

    reviewer = request.getfixturevalue("reviewer")
    ReviewAssignment.objects.create(
        declaration=request.getfixturevalue("draft"), reviewer=reviewer, assigned_by=request.getfixturevalue("staff")
    )
    return reviewer


def _released_reviewer(request):
    from django.utils import timezone

    from review.models import ReviewAssignment

    reviewer = request.getfixturevalue("reviewer")
    ReviewAssignment.objects.create(
        declaration=request.getfixturevalue("draft"),
        reviewer=reviewer,
        assigned_by=request.getfixturevalue("staff"),
        released_at=timezone.now(),
        release_reason="Conflict of interest.",
    )
    return reviewer


ALLOWED = {
    "applicant": lambda request: request.getfixturevalue("applicant"),
    "colleague": _colleague,
    "staff": lambda request: request.getfixturevalue("staff"),
    "finance": lambda request: request.getfixturevalue("finance"),
    "administrator": lambda request: request.getfixturevalue("administrator"),
    "assigned-reviewer": _assigned_reviewer,
}
REFUSED = {
    "unassigned-reviewer": lambda request: request.getfixturevalue("reviewer"),
    "released-reviewer": _released_reviewer,
    "other-organisation": lambda request: request.getfixturevalue("other_applicant"),
}


@pytest.mark.parametrize("who", ALLOWED)
def test_the_file_is_served_to_those_who_may_see_the_declaration(client, request, attachment, who):
    client.force_login(ALLOWED[who](request))

    downloaded = download(client, download_url(attachment))

    assert downloaded.status == 200
    assert downloaded.content == evidence_pdf("payment_proof payment receipt.pdf")
    assert downloaded.headers["Content-Type"] == "application/pdf"
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="payment receipt.pdf"'
    assert "no-store" in downloaded.headers["Cache-Control"]
    assert downloaded.view["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in downloaded.view["Cache-Control"]


@pytest.mark.parametrize("who", ["staff", "finance", "administrator", "assigned-reviewer"])
def test_a_drafts_file_is_not_found_for_anyone_but_its_applicants(client, request, draft_attachment, who):
    client.force_login(ALLOWED[who](request))

    response = client.get(download_url(draft_attachment))

    assert response.status_code == 404
    assert b"%PDF" not in response.content


@pytest.mark.parametrize("who", ["applicant", "colleague"])
def test_a_drafts_file_is_served_to_its_applicants(client, request, draft_attachment, who):
    client.force_login(ALLOWED[who](request))

    downloaded = download(client, download_url(draft_attachment))

    assert downloaded.status == 200
    assert downloaded.content == evidence_pdf("payment_proof payment receipt.pdf")


@pytest.mark.parametrize("who", REFUSED)
def test_the_file_is_not_found_for_anyone_else(client, request, attachment, who):
    client.force_login(REFUSED[who](request))

    response = client.get(download_url(attachment))

    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_an_anonymous_visitor_does_not_get_the_file(client, attachment):
    response = client.get(download_url(attachment))

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert b"%PDF" not in response.content


def test_a_non_ascii_file_name_is_offered_under_its_own_name(client, draft, applicant):
    attachment = add(draft, applicant, name="付款凭证.pdf")
    client.force_login(applicant)

    downloaded = download(client, download_url(attachment))

    assert downloaded.headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%BB%98%E6%AC%BE%E5%87%AD%E8%AF%81.pdf"
    )


def test_an_attachment_is_not_found_under_another_declarations_url(client, draft, applicant, attachment):
    other = DeclarationFactory(organisation=applicant.organisation, call=draft.call, created_by=applicant)
    client.force_login(applicant)

    assert client.get(download_url(attachment, declaration=other)).status_code == 404
    assert client.post(remove_url(attachment, declaration=other)).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_file_has_no_public_url_and_a_random_stored_name(client, attachment, staff):
    name = attachment.file.name
    assert re.fullmatch(rf"declarations/{attachment.declaration_id}/[0-9a-f]{{32}}\.pdf", name)
    assert "receipt" not in name
    for who in (None, staff):
        if who:
            client.force_login(who)
        for url in (f"/media/{name}", f"/media/private/{name}"):
            assert client.get(url).status_code == 404, url


# Removing a file


def test_the_applicant_removes_a_file_and_it_is_gone_from_disk(
    client, draft, applicant, draft_attachment, storage, django_capture_on_commit_callbacks
):
    name = draft_attachment.file.name
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(draft_attachment))

    assert response["Location"] == attachments_url(draft)
    assert not Attachment.objects.filter(pk=draft_attachment.pk).exists()
    assert not storage.exists(name)
    assert client.get(download_url(draft_attachment)).status_code == 404
    # The record of who added what, and that it went, stays in the history.
    assert list(Attachment.history.filter(id=draft_attachment.pk).values_list("history_type", flat=True)) == ["-", "+"]


def test_the_file_stays_on_disk_until_the_removal_commits(client, applicant, draft_attachment, storage):
    client.force_login(applicant)

    client.post(remove_url(draft_attachment))

    # The test's transaction never commits: the on-commit deletion has not run.
    assert storage.exists(draft_attachment.file.name)


def test_removing_is_refused_for_another_organisation_and_for_other_roles(
    client, draft_attachment, other_applicant, staff
):
    client.force_login(other_applicant)
    assert client.post(remove_url(draft_attachment)).status_code == 404
    client.force_login(staff)
    assert client.post(remove_url(draft_attachment)).status_code == 403
    assert Attachment.objects.filter(pk=draft_attachment.pk).exists()


def test_after_submission_a_file_cannot_be_removed(
    client, draft, applicant, draft_attachment, storage, django_capture_on_commit_callbacks
):
    complete_for_submission(draft, applicant)
    declaration_submit(declaration_id=draft.pk, actor=applicant)
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(draft_attachment), follow=True)

    assert "A submitted declaration can no longer be changed." in response.content.decode()
    assert Attachment.objects.filter(pk=draft_attachment.pk).exists()
    assert storage.exists(draft_attachment.file.name)
    assert download(client, download_url(draft_attachment)).status == 200


def test_after_submission_no_file_can_be_added(client, draft, applicant):
    complete_for_submission(draft, applicant)
    declaration_submit(declaration_id=draft.pk, actor=applicant)
    count = draft.attachments.count()
    client.force_login(applicant)

    response = upload(client, draft, "other", "late.pdf", evidence_pdf("late"))

    assert response["Location"] == f"/applicant/declarations/{draft.pk}/"
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        add(draft, applicant, evidence="other")
    assert draft.attachments.count() == count


# Completeness


def _evidence_problem(declaration):
    return [p.text for p in declaration_submission_problems(declaration) if p.step == "attachments"]


def test_a_new_draft_needs_every_required_evidence_and_not_the_optional_one(draft):
    labels = [str(e.label) for e in EVIDENCE["ART6"] if e.required]

    assert _evidence_problem(draft) == [f"Please attach this evidence: {', '.join(labels)}."]
    assert "Other supporting material" not in _evidence_problem(draft)[0]


def test_submission_is_refused_naming_each_missing_evidence_until_it_is_attached(client, draft, applicant):
    for evidence in EVIDENCE["ART6"]:
        if evidence.required and evidence.code not in ("investment_agreement", "payment_proof"):
            add(draft, applicant, evidence=evidence.code)
    commitment_sign(
        declaration_id=draft.pk, actor=applicant, signatory_name="Zhang San", signatory_capacity="legal_representative"
    )
    client.force_login(applicant)

    refused = client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"}, follow=True)

    assert [p.text for p in refused.context["problems"]] == [
        "Please attach this evidence: Investment agreement, Payment proof."
    ]
    assert "Please attach this evidence: Investment agreement, Payment proof." in refused.content.decode()
    assert Declaration.objects.get(pk=draft.pk).state == S.DRAFT

    upload(client, draft, "investment_agreement", "agreement.pdf", evidence_pdf("agreement"))
    assert _evidence_problem(draft) == ["Please attach this evidence: Payment proof."]
    upload(client, draft, "payment_proof", "receipt.png", image_bytes("PNG"))
    assert _evidence_problem(draft) == []

    # Adding files voided the commitment: it is signed again for the declaration as it is now.
    commitment_sign(
        declaration_id=draft.pk, actor=applicant, signatory_name="Zhang San", signatory_capacity="legal_representative"
    )
    client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED
    assert not draft.attachments.filter(evidence="other").exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [(_damaged_jpeg, "This image is damaged and cannot be read"), (_too_many_pixels, "more than 60 million pixels")],
    ids=["damaged-jpeg", "too-many-pixels"],
)
def test_an_image_is_refused_unless_its_pixels_decode_within_a_scans_size(client, draft, applicant, make, message):
    client.force_login(applicant)

    response = upload(client, draft, "payment_proof", *make())

    assert message in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.filter(declaration=draft).exists()


def _cut_jpeg():
    """A photo whose second half never arrived: its header and first scans are intact."""
    buffer = BytesIO()
    Image.effect_noise((300, 300), 50).convert("RGB").save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    return "photo.jpg", jpeg[: len(jpeg) // 2]


def test_an_image_cut_short_is_refused_even_once_the_pdf_module_is_loaded(client, draft, applicant):
    """WeasyPrint, on import, tells Pillow to accept images cut short for the whole process; after
    the first PDF a server would then have taken half a photo as evidence."""
    import declarations.documents  # noqa: F401  (imports WeasyPrint, as the first PDF download does)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    client.force_login(applicant)

    response = upload(client, draft, "payment_proof", *_cut_jpeg())

    assert "This image is damaged and cannot be read" in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.filter(declaration=draft).exists()


def test_an_image_pillow_fails_on_in_an_unexpected_way_is_refused_not_a_server_error(
    client, draft, applicant, monkeypatch
):
    """With truncated images allowed, Pillow's PNG check raises IndexError on a chunk cut short after
    its length (found by Hypothesis): every decoder failure is "damaged", never a 500."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    png = image_bytes("PNG")
    # The last chunk (IEND) cut after its length: verify() reads a chunk with no type.
    cut = png[: png.rindex(b"IEND") - 4] + b"\x00\x00\x00\x00"
    client.force_login(applicant)

    response = upload(client, draft, "payment_proof", "scan.png", cut)

    assert response.status_code == 200
    assert "This image is damaged and cannot be read" in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.filter(declaration=draft).exists()
