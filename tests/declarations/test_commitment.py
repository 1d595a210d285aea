"""The good-faith commitment letter of Art. 19: what signing records, who may sign as what, what
voids a signature, the content hash, and the read-only declaration after submission."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from config.demo import complete_for_submission, evidence_pdf
from declarations import commitment, services
from declarations.enums import DeclarationState as S
from declarations.enums import SignatoryCapacity
from declarations.models import Attachment, Commitment, Declaration, Organisation
from declarations.selectors import declaration_latest_commitment, declaration_standing_commitment
from declarations.services import (
    CommitmentRefused,
    SubmissionRefused,
    attachment_add,
    commitment_covers,
    commitment_sign,
    declaration_submission_problems,
    declaration_submit,
)
from declarations.workflow import TransitionRefused
from tests.declarations.test_applicant_site import FACTS_POST, steps_url

pytestmark = pytest.mark.django_db

LEGAL = SignatoryCapacity.LEGAL_REPRESENTATIVE
CONTACT = SignatoryCapacity.AUTHORISED_CONTACT
CHANGED = "The declaration changed after the commitment was signed: please sign it again."


@pytest.fixture
def storage():
    """The storage evidence files go to: a folder of this test's own (tests/conftest.py)."""
    return storages["attachments"]


def commitment_url(declaration):
    return steps_url(declaration, "commitment")


def sign(declaration, actor, name="Zhang San", capacity=LEGAL, **extra):
    return commitment_sign(
        declaration_id=declaration.pk, actor=actor, signatory_name=name, signatory_capacity=capacity, **extra
    )


def add(declaration, actor, evidence="business_licence", name="licence.pdf"):
    return attachment_add(
        declaration_id=declaration.pk,
        actor=actor,
        evidence=evidence,
        uploaded_file=ContentFile(evidence_pdf(f"{evidence} {name}"), name),
    )


def as_posted(form):
    """What a browser sends back for `form` as the page shows it, untouched."""
    data = {}
    for field in form:
        value = field.value()
        if field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = field.field.widget.format_value(value) or ""
    return data


# Signing records


def test_signing_on_the_commitment_page_records_the_text_signatory_time_address_and_hash(client, draft, applicant):
    client.force_login(applicant)
    page = client.get(commitment_url(draft))
    shown = page.context["text"]
    assert shown == commitment.commitment_text()
    assert "Good-faith commitment letter" in shown
    assert page.context["form"]["signatory_name"].value() == "Zhang San"
    before = timezone.now()

    response = client.post(
        commitment_url(draft),
        {"signatory_capacity": "legal_representative", "signatory_name": "Zhang San", "accept": "on"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Test/1.0",
    )

    assert response["Location"] == steps_url(draft, "review")
    signed = Commitment.objects.get(declaration=draft)
    assert signed.version == commitment.CURRENT_VERSION
    assert signed.text == shown
    assert signed.language == "en"
    assert (signed.signatory_name, signed.signatory_capacity) == ("Zhang San", LEGAL)
    assert signed.signed_by == applicant
    assert before <= signed.accepted_at <= timezone.now()
    assert signed.ip_address == "203.0.113.7"
    assert signed.user_agent == "Mozilla/5.0 (X11; Linux x86_64) Test/1.0"
    assert re.fullmatch(r"[0-9a-f]{64}", signed.content_hash)
    assert (signed.voided_at, signed.void_reason) == (None, "")
    assert declaration_standing_commitment(draft) == signed
    assert commitment_covers(signed, draft)
    assert "Signed by Zhang San (Legal representative)" in client.get(commitment_url(draft)).content.decode()


def test_signing_under_chinese_keeps_the_chinese_text(draft, applicant):
    with translation.override("zh-hans"):
        signed = sign(draft, applicant)

    assert signed.language == "zh-hans"
    assert signed.text == commitment.commitment_text(language="zh-hans")
    assert signed.text.startswith("诚信承诺书")
    assert "Good-faith" not in signed.text
    # The hash covers the Chinese text as signed, whatever language reads it later.
    assert commitment_covers(signed, draft)


def test_a_long_user_agent_is_cut_to_the_column(draft, applicant):
    signed = sign(draft, applicant, user_agent="x" * 1000)

    assert signed.user_agent == "x" * 300


# Who signs as what


def test_the_legal_representative_must_sign_in_the_name_the_profile_gives(client, draft, applicant):
    client.force_login(applicant)

    response = client.post(
        commitment_url(draft),
        {"signatory_capacity": "legal_representative", "signatory_name": "李四", "accept": "on"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["signatory_name"]
    assert "The organisation's legal representative is Zhang San" in errors["signatory_name"][0]
    assert not Commitment.objects.exists()


def test_the_legal_representatives_name_is_compared_without_extra_spaces(draft, applicant):
    assert sign(draft, applicant, name="  Zhang   San ").signatory_name == "Zhang San"


def test_an_organisation_without_legal_representative_signs_as_authorised_contact(client, draft, applicant):
    Organisation.objects.filter(pk=draft.organisation_id).update(legal_representative="")
    client.force_login(applicant)

    refused = client.post(
        commitment_url(draft),
        {"signatory_capacity": "legal_representative", "signatory_name": "Zhang San", "accept": "on"},
    )

    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert list(errors) == ["signatory_capacity"]
    assert "names no legal representative" in errors["signatory_capacity"][0]
    assert not Commitment.objects.exists()

    client.post(
        commitment_url(draft),
        {"signatory_capacity": "authorised_contact", "signatory_name": "王五", "accept": "on"},
    )
    signed = Commitment.objects.get(declaration=draft)
    assert (signed.signatory_name, signed.signatory_capacity) == ("王五", CONTACT)


def test_an_authorised_contact_signs_in_any_name_but_not_a_blank_one(client, draft, applicant):
    client.force_login(applicant)

    blank = client.post(
        commitment_url(draft), {"signatory_capacity": "authorised_contact", "signatory_name": "   ", "accept": "on"}
    )
    assert "signatory_name" in blank.context["form"].errors
    with pytest.raises(CommitmentRefused, match="signatory's name") as refused:
        sign(draft, applicant, name=" \t ", capacity=CONTACT)
    assert refused.value.field == "signatory_name"
    assert not Commitment.objects.exists()

    client.post(
        commitment_url(draft), {"signatory_capacity": "authorised_contact", "signatory_name": "李四", "accept": "on"}
    )
    signed = Commitment.objects.get(declaration=draft)
    assert (signed.signatory_name, signed.signatory_capacity) == ("李四", CONTACT)


def test_the_service_refuses_an_unknown_capacity(draft, applicant):
    with pytest.raises(CommitmentRefused, match="legal representative or authorised contact"):
        sign(draft, applicant, capacity="chairman")

    assert not Commitment.objects.exists()


def test_the_accept_box_unticked_gives_a_field_error_and_no_record(client, draft, applicant):
    client.force_login(applicant)

    response = client.post(
        commitment_url(draft), {"signatory_capacity": "legal_representative", "signatory_name": "Zhang San"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["accept"] == ["Tick this box to accept the commitment letter."]
    assert not Commitment.objects.exists()


def test_another_organisations_applicant_cannot_sign(client, draft, other_applicant):
    client.force_login(other_applicant)

    response = client.post(
        commitment_url(draft),
        {"signatory_capacity": "legal_representative", "signatory_name": "Zhang San", "accept": "on"},
    )

    assert response.status_code == 404
    with pytest.raises(TransitionRefused):
        sign(draft, other_applicant)
    assert not Commitment.objects.exists()


# What voids a signature


def _change_title(client, declaration, applicant):
    client.post(steps_url(declaration, "project"), {"title": "Renamed project", "summary": declaration.summary})


def _change_summary(client, declaration, applicant):
    client.post(steps_url(declaration, "project"), {"title": declaration.title, "summary": "Another summary."})


def _change_a_fact(client, declaration, applicant):
    form = client.get(steps_url(declaration, "facts")).context["form"]
    client.post(steps_url(declaration, "facts"), as_posted(form) | {"facts-investment_amount": "7,000,000.00"})


def _add_a_file(client, declaration, applicant):
    upload = SimpleUploadedFile("other.pdf", evidence_pdf("other"), "application/pdf")
    client.post(steps_url(declaration, "attachments"), {"evidence": "other", "file": upload})


def _remove_a_file(client, declaration, applicant):
    attachment = declaration.attachments.get()
    client.post(f"/applicant/declarations/{declaration.pk}/attachments/{attachment.pk}/remove/")


def _change_the_organisation(client, declaration, applicant):
    services.organisation_update(organisation_id=declaration.organisation_id, actor=applicant, name="Renamed Co.")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_change_title, "the declaration was changed"),
        (_change_summary, "the declaration was changed"),
        (_change_a_fact, "the declaration was changed"),
        (_add_a_file, "an evidence file was added"),
        (_remove_a_file, "an evidence file was removed"),
        (_change_the_organisation, "the organisation profile changed"),
    ],
    ids=["title", "summary", "fact", "file-added", "file-removed", "organisation-profile"],
)
def test_a_change_after_signing_voids_the_commitment(client, draft, applicant, change, reason):
    add(draft, applicant)
    signed = sign(draft, applicant)
    client.force_login(applicant)

    change(client, Declaration.objects.get(pk=draft.pk), applicant)

    signed.refresh_from_db()
    assert signed.voided_at is not None
    assert signed.void_reason == reason
    assert declaration_standing_commitment(draft) is None
    problems = [p.text for p in declaration_submission_problems(Declaration.objects.get(pk=draft.pk))]
    assert f"The commitment signed before was voided because {reason}: please sign it again." in problems
    page = client.get(commitment_url(draft)).content.decode()
    assert f"because {reason}" in page


@pytest.mark.parametrize("step", ["organisation", "project", "facts"])
def test_saving_a_step_with_nothing_changed_does_not_void_it(client, draft, applicant, step):
    client.force_login(applicant)
    # Saved once through the pages, so the stored values are as the forms write them.
    client.post(steps_url(draft, step), as_posted(client.get(steps_url(draft, step)).context["form"]))
    signed = sign(draft, applicant)

    response = client.post(steps_url(draft, step), as_posted(client.get(steps_url(draft, step)).context["form"]))

    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.voided_at is None
    assert commitment_covers(signed, Declaration.objects.get(pk=draft.pk))


def test_continuing_from_the_attachments_step_without_a_file_does_not_void_it(client, draft, applicant):
    signed = sign(draft, applicant)
    client.force_login(applicant)

    response = client.post(steps_url(draft, "attachments"), {"goto": "commitment"})

    assert response["Location"] == commitment_url(draft)
    signed.refresh_from_db()
    assert signed.voided_at is None


def test_saving_the_facts_as_the_applicant_site_fills_them_in_keeps_a_commitment_signed_on_them(
    client, draft, applicant
):
    client.force_login(applicant)
    facts = {k: v for k, v in FACTS_POST.items() if k.startswith("facts-")}
    client.post(steps_url(draft, "facts"), facts)
    signed = sign(draft, applicant)

    client.post(steps_url(draft, "facts"), facts)

    signed.refresh_from_db()
    assert signed.voided_at is None


def test_a_change_to_another_organisation_does_not_void_it(draft, applicant, other_applicant):
    signed = sign(draft, applicant)

    services.organisation_update(
        organisation_id=other_applicant.organisation_id, actor=other_applicant, name="Somebody Else Co."
    )

    signed.refresh_from_db()
    assert signed.voided_at is None


# The content hash


def test_the_hash_is_the_same_for_an_unchanged_declaration(draft, applicant):
    add(draft, applicant)
    signed = sign(draft, applicant)
    reloaded = Declaration.objects.get(pk=draft.pk)

    assert commitment_covers(signed, reloaded)
    assert signed.content_hash == commitment.content_hash(
        version=signed.version,
        text=signed.text,
        signatory_name="Zhang San",
        signatory_capacity=LEGAL,
        content=commitment.declaration_content(reloaded, reloaded.attachments.all()),
    )
    # Read under the other language, the declaration is the same content.
    with translation.override("zh-hans"):
        assert commitment_covers(signed, reloaded)


def test_the_hash_differs_for_another_signatory(draft, applicant):
    first = sign(draft, applicant)
    second = sign(draft, applicant, name="李四", capacity=CONTACT)

    assert first.content_hash != second.content_hash


def _facts_behind_the_back(declaration):
    Declaration.objects.filter(pk=declaration.pk).update(facts=declaration.facts | {"investment_amount": "9000000.00"})


def _title_behind_the_back(declaration):
    Declaration.objects.filter(pk=declaration.pk).update(title="Changed in the database")


def _organisation_behind_the_back(declaration):
    Organisation.objects.filter(pk=declaration.organisation_id).update(annual_revenue="1.00")


def _file_behind_the_back(declaration):
    Attachment.objects.filter(declaration=declaration).update(sha256="0" * 64)


@pytest.mark.parametrize(
    "change",
    [_facts_behind_the_back, _title_behind_the_back, _organisation_behind_the_back, _file_behind_the_back],
    ids=["facts", "title", "organisation", "file"],
)
def test_a_change_behind_the_services_back_is_caught_by_the_hash(client, draft, applicant, change):
    complete_for_submission(draft, applicant)
    signed = declaration_standing_commitment(draft)

    change(draft)

    reloaded = Declaration.objects.get(pk=draft.pk)
    assert declaration_standing_commitment(reloaded) == signed  # nothing voided it ...
    assert not commitment_covers(signed, reloaded)  # ... but it no longer covers the declaration
    assert CHANGED in [p.text for p in declaration_submission_problems(reloaded)]
    with pytest.raises(SubmissionRefused, match="changed after the commitment was signed"):
        declaration_submit(declaration_id=draft.pk, actor=applicant)
    client.force_login(applicant)
    refused = client.post(f"/applicant/declarations/{draft.pk}/submit/", {"confirmed": "yes"}, follow=True)
    assert CHANGED in refused.content.decode()
    reloaded.refresh_from_db()
    assert (reloaded.state, reloaded.number) == (S.DRAFT, None)


# Signing again


def test_signing_again_voids_the_previous_signature_and_keeps_both(draft, applicant):
    first = sign(draft, applicant)
    second = sign(draft, applicant, name="李四", capacity=CONTACT)

    first.refresh_from_db()
    assert first.voided_at is not None
    assert first.void_reason == "signed again"
    assert declaration_standing_commitment(draft) == second
    assert Commitment.objects.filter(declaration=draft, voided_at__isnull=True).count() == 1
    assert set(draft.commitments.all()) == {first, second}


def test_the_latest_commitment_is_the_standing_one_else_the_last_voided_read_in_one_query(
    draft, applicant, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert declaration_latest_commitment(draft) == (None, None)
    first = sign(draft, applicant)
    second = sign(draft, applicant, name="李四", capacity=CONTACT)
    third = sign(draft, applicant)
    # The standing one comes first even when an older signature was accepted later.
    Commitment.objects.filter(pk=first.pk).update(accepted_at=timezone.now() + timedelta(days=1))
    with django_assert_num_queries(1):
        assert declaration_latest_commitment(draft) == (third, None)
    Commitment.objects.filter(pk=third.pk).update(voided_at=timezone.now(), void_reason="the declaration was changed")
    Commitment.objects.filter(pk=first.pk).update(accepted_at=second.accepted_at - timedelta(days=1))
    assert declaration_latest_commitment(draft) == (None, third)


def test_the_database_holds_at_most_one_standing_commitment_per_declaration(draft, applicant):
    signed = sign(draft, applicant)

    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(
            declaration=draft,
            version=signed.version,
            text=signed.text,
            language="en",
            signatory_name="李四",
            signatory_capacity=CONTACT,
            signed_by=applicant,
            content_hash=signed.content_hash,
        )
    # A voided one next to the standing one is history, and allowed.
    Commitment.objects.create(
        declaration=draft,
        version=signed.version,
        text=signed.text,
        language="en",
        signatory_name="李四",
        signatory_capacity=CONTACT,
        signed_by=applicant,
        content_hash=signed.content_hash,
        voided_at=timezone.now(),
        void_reason="test",
    )
    assert draft.commitments.count() == 2


def test_a_voided_commitment_signed_again_covers_the_changed_declaration(client, draft, applicant):
    first = sign(draft, applicant)
    client.force_login(applicant)
    _change_summary(client, draft, applicant)

    second = sign(draft, applicant)

    first.refresh_from_db()
    assert first.void_reason == "the declaration was changed"
    assert first.content_hash != second.content_hash
    assert commitment_covers(second, Declaration.objects.get(pk=draft.pk))
    assert draft.commitments.count() == 2


# After submission


def test_after_submission_the_commitment_step_is_read_only(client, draft, applicant):
    complete_for_submission(draft, applicant)
    declaration_submit(declaration_id=draft.pk, actor=applicant)
    signed = declaration_standing_commitment(draft)
    client.force_login(applicant)
    detail = f"/applicant/declarations/{draft.pk}/"

    assert client.get(commitment_url(draft))["Location"] == detail
    response = client.post(
        commitment_url(draft),
        {"signatory_capacity": "authorised_contact", "signatory_name": "李四", "accept": "on"},
    )

    assert response["Location"] == detail
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        sign(draft, applicant, name="李四", capacity=CONTACT)
    assert list(draft.commitments.all()) == [signed]
    signed.refresh_from_db()
    assert signed.voided_at is None


def test_behind_a_proxy_the_commitment_records_the_clients_address_from_the_configured_header(
    client, draft, applicant, settings
):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    client.force_login(applicant)

    client.post(
        f"/applicant/declarations/{draft.pk}/steps/commitment/",
        {"signatory_capacity": "legal_representative", "signatory_name": "Zhang San", "accept": "on"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.23, 10.0.0.2",
    )

    assert draft.commitments.get().ip_address == "198.51.100.23"


def test_retyping_an_amount_without_separators_or_cents_changes_nothing_and_keeps_the_commitment(
    client, draft, applicant
):
    from tests.declarations.test_applicant_site import FACTS_POST

    complete_for_submission(draft, applicant)
    client.force_login(applicant)
    facts = {k: v for k, v in FACTS_POST.items() if k.startswith("facts-")}

    client.post(f"/applicant/declarations/{draft.pk}/steps/facts/", facts | {"facts-investment_amount": "8000000"})

    draft.refresh_from_db()
    assert draft.facts["investment_amount"] == "8000000.00"
    assert draft.commitments.get().voided_at is None
