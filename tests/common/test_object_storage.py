"""Files on an S3-compatible object store (S3_BUCKET): the settings that choose it, and what only the
store does: private objects, downloads redirected to a link that is signed for a minute only after
the permission check, and objects deleted with their record. The attachment tests themselves run
on both backends (tests/declarations/test_attachments.py, the file_storage fixture)."""

import datetime
import os
import runpy
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from config.demo import evidence_pdf
from declarations.models import Attachment
from declarations.services import attachment_add
from tests.s3 import BUCKET, download
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db
on_s3 = pytest.mark.parametrize("file_storage", ["s3"], indirect=True)

PDF = evidence_pdf("payment_proof receipt.pdf")


@pytest.fixture
def attachment(file_storage, draft, applicant):
    return attachment_add(
        declaration_id=draft.pk,
        actor=applicant,
        evidence="payment_proof",
        uploaded_file=ContentFile(PDF, "receipt.pdf"),
    )


def download_url(attachment):
    return f"/applicant/declarations/{attachment.declaration_id}/attachments/{attachment.pk}/"


def object_key(attachment):
    return f"{storages['attachments'].location}/{attachment.file.name}"


@on_s3
def test_an_uploaded_file_is_a_private_object_under_the_attachments_prefix(attachment, s3_server):
    key = object_key(attachment)
    client = s3_server.client()

    assert key.endswith(f"/private/declarations/{attachment.declaration_id}/{attachment.file.name.rsplit('/')[-1]}")
    assert client.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert {grant["Grantee"]["Type"] for grant in grants} == {"CanonicalUser"}


@on_s3
def test_the_download_redirects_to_a_link_signed_for_a_minute_that_returns_the_bytes(
    client, applicant, attachment, s3_server
):
    client.force_login(applicant)

    downloaded = download(client, download_url(attachment))

    link = urlsplit(downloaded.view["Location"])
    query = parse_qs(link.query)
    assert downloaded.view.status_code == 302
    assert f"{link.scheme}://{link.netloc}" == s3_server.endpoint_url
    assert link.path == f"/{BUCKET}/{object_key(attachment)}"
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == ['attachment; filename="receipt.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    assert downloaded.view["Cache-Control"] == "private, no-store"
    assert (downloaded.status, downloaded.content) == (200, PDF)
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="receipt.pdf"'


@on_s3
def test_another_organisation_gets_404_and_no_link(client, other_applicant, attachment):
    client.force_login(other_applicant)

    response = client.get(download_url(attachment))

    assert response.status_code == 404
    assert "Location" not in response
    assert "X-Amz-Signature" not in response.content.decode()


@on_s3
def test_the_signed_link_expires_after_a_minute(client, applicant, attachment):
    client.force_login(applicant)
    signed_at = datetime.datetime(2026, 12, 4, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(signed_at, tick=False):
        link = client.get(download_url(attachment))["Location"]

    with time_machine.travel(signed_at + datetime.timedelta(seconds=59), tick=False):
        in_time = download_link(link)
    with time_machine.travel(signed_at + datetime.timedelta(seconds=61), tick=False):
        too_late = download_link(link)

    assert in_time == (200, PDF)
    assert too_late[0] == 403
    assert b"Request has expired" in too_late[1]


def download_link(link):
    from urllib.error import HTTPError
    from urllib.request import urlopen

    try:
        with urlopen(link, timeout=10) as stored:
            return stored.status, stored.read()
    except HTTPError as refused:
        return refused.code, refused.read()


@on_s3
def test_removing_the_file_deletes_the_object(
    client, applicant, attachment, s3_server, django_capture_on_commit_callbacks
):
    key = object_key(attachment)
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(download_url(attachment) + "remove/")

    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert s3_server.keys(key) == []


@on_s3
def test_an_object_gone_from_the_store_is_not_found_rather_than_a_link_to_an_error(
    client, applicant, attachment, s3_server
):
    s3_server.client().delete_object(Bucket=BUCKET, Key=object_key(attachment))
    client.force_login(applicant)

    response = client.get(download_url(attachment))

    assert response.status_code == 404
    assert "Location" not in response


# The settings


def storages_with(monkeypatch, **environment):
    """settings.STORAGES as config/settings.py makes it from `environment` (and no other S3_*)."""
    for name in [name for name in os.environ if name.startswith("S3_")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))["STORAGES"]


def test_without_a_bucket_both_storages_are_on_the_file_system(monkeypatch):
    configured = storages_with(monkeypatch)

    assert configured["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert configured["attachments"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_bucket_moves_both_storages_to_the_store_private_and_apart(monkeypatch):
    configured = storages_with(
        monkeypatch,
        S3_BUCKET="zgc-files",
        S3_ENDPOINT_URL="https://objects.example.cn",
        S3_REGION="cn-north-1",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
        S3_ADDRESSING_STYLE="path",
    )

    default, attachments = configured["default"], configured["attachments"]
    assert default["BACKEND"] == attachments["BACKEND"] == "common.storage.PrivateS3Storage"
    assert (default["OPTIONS"]["location"], attachments["OPTIONS"]["location"]) == ("media", "private")
    for options in (default["OPTIONS"], attachments["OPTIONS"]):
        assert options["bucket_name"] == "zgc-files"
        assert options["endpoint_url"] == "https://objects.example.cn"
        assert options["region_name"] == "cn-north-1"
        assert (options["access_key"], options["secret_key"], options["addressing_style"]) == ("key", "secret", "path")
        assert (options["default_acl"], options["querystring_auth"], options["querystring_expire"]) == (
            "private",
            True,
            60,
        )
        assert options["file_overwrite"] is False


def test_the_attachments_may_have_a_bucket_of_their_own_but_not_the_same_prefix(monkeypatch):
    own_bucket = storages_with(monkeypatch, S3_BUCKET="zgc-files", S3_ATTACHMENTS_BUCKET="zgc-evidence")

    assert own_bucket["attachments"]["OPTIONS"]["bucket_name"] == "zgc-evidence"
    with pytest.raises(ImproperlyConfigured, match="Give S3_ATTACHMENTS_BUCKET or S3_ATTACHMENTS_PREFIX"):
        storages_with(monkeypatch, S3_BUCKET="zgc-files", S3_ATTACHMENTS_PREFIX="media/")


def test_empty_values_as_docker_compose_passes_them_mean_the_defaults(monkeypatch):
    names = ["S3_ENDPOINT_URL", "S3_ATTACHMENTS_BUCKET", "S3_ATTACHMENTS_PREFIX", "S3_MEDIA_PREFIX"]
    empty = dict.fromkeys([*names, "S3_SIGNED_URL_SECONDS"], "")
    assert storages_with(monkeypatch, S3_BUCKET="", **empty)["attachments"]["BACKEND"].endswith("FileSystemStorage")

    configured = storages_with(monkeypatch, S3_BUCKET="zgc-files", **empty)

    attachments = configured["attachments"]["OPTIONS"]
    assert (attachments["bucket_name"], attachments["location"], attachments["querystring_expire"]) == (
        "zgc-files",
        "private",
        60,
    )
    assert attachments["endpoint_url"] is None
    assert configured["default"]["OPTIONS"]["location"] == "media"
