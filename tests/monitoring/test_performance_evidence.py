"""A performance report's evidence files, on the file system and on an S3-compatible store (the
file_storage fixture): the unit and staff download them, no one else; removal deletes the file."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from monitoring.models import PerformanceReport
from monitoring.performance import report_evidence_add, report_evidence_remove
from tests.monitoring.conftest import plan
from tests.monitoring.test_performance_walk import PNG
from tests.s3 import download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_storage")]


@pytest.fixture
def report(funded, staff):
    plan(funded, staff)
    return PerformanceReport.objects.filter(declaration=funded).order_by("due_on").first()


@pytest.fixture
def evidence(report, applicant):
    return report_evidence_add(
        report_id=report.pk, actor=applicant, uploaded_file=ContentFile(PNG, "bank statement.png")
    )


def evidence_url(evidence):
    return reverse("monitoring:performance_evidence", args=[evidence.report_id, evidence.pk])


@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_report_evidence_is_downloaded_by_the_unit_and_by_staff(client, request, evidence, who):
    client.force_login(request.getfixturevalue(who))

    downloaded = download(client, evidence_url(evidence))

    assert (downloaded.status, downloaded.content) == (200, PNG)
    assert downloaded.headers["Content-Type"] == "image/png"
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="bank statement.png"'
    assert downloaded.view["Cache-Control"] == "private, no-store"


def test_report_evidence_is_not_found_for_another_organisation_and_no_link_is_given(client, other_applicant, evidence):
    client.force_login(other_applicant)

    response = client.get(evidence_url(evidence))

    assert response.status_code == 404
    assert "Location" not in response


def test_removing_report_evidence_deletes_the_stored_file(applicant, evidence, django_capture_on_commit_callbacks):
    name = evidence.file.name
    assert storages["attachments"].exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        report_evidence_remove(evidence_id=evidence.pk, actor=applicant)

    assert not storages["attachments"].exists(name)
