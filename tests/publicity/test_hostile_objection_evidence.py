"""The hostile evidence corpus (tests/hostile_files) sent with a public objection: every file
refused at the evidence field with what was typed kept, nothing stored; the evidence staff open is
always a download under a safe name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.demo import evidence_pdf
from publicity.models import Objection
from tests.hostile_files import hostile_files
from tests.publicity.conftest import STARTS_ON, on
from tests.publicity.test_objections import OBJECTION, objection_url, raise_objection

pytestmark = pytest.mark.django_db

HOSTILE = hostile_files()


@pytest.mark.parametrize(("name", "content", "message"), [case[1:] for case in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_every_hostile_file_is_refused_at_the_evidence_field(client, batch_with_one, name, content, message):
    _batch, declaration = batch_with_one

    with on(STARTS_ON):
        response = client.post(objection_url(declaration), {**OBJECTION, "evidence": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["evidence"])
    assert list(response.context["form"].errors) == ["evidence"]
    assert Objection.objects.count() == 0


def test_the_evidence_name_kept_is_cleaned_and_ends_in_its_types_extension(client, batch_with_one):
    _batch, declaration = batch_with_one

    with on(STARTS_ON):
        client.post(
            objection_url(declaration),
            {**OBJECTION, "evidence": SimpleUploadedFile('..\\proof\x07 "one".PDF', evidence_pdf("proof"))},
        )

    assert Objection.objects.get().evidence_name == "proof one.pdf"


def test_the_evidence_is_a_download_even_when_asked_inline_and_the_console_offers_no_inline_view(
    staff_client, batch_with_one
):
    batch, declaration = batch_with_one
    objection = raise_objection(declaration, evidence=SimpleUploadedFile("proof.pdf", evidence_pdf("proof")))
    Objection.objects.filter(pk=objection.pk).update(evidence_name="proof.pdf.html")
    url = reverse("publicity:objection_evidence", args=[objection.pk])

    response = staff_client.get(url + "?inline=1")
    page = staff_client.get(reverse("publicity:console_batch", args=[batch.pk])).content.decode()

    assert response["Content-Disposition"] == 'attachment; filename="proof.pdf.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert url in page
    assert "inline=" not in page
