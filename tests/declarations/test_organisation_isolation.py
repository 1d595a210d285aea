"""A user of one organisation gets 404 for every page, evidence file and action of another
organisation's declarations, and nothing of them changes.

MATRIX lists every applicant URL that takes a declaration's pk, with each method its view answers;
test_every_declaration_url_and_method_is_in_the_matrix fails when a page is added to
declarations/urls.py (or a view starts answering another method) without being listed here.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from config.demo import Cast, evidence_pdf
from declarations import urls as declaration_urls
from declarations import views
from declarations.document_services import declaration_document_request
from declarations.documents import declaration_content_hash
from declarations.enums import DeclarationState as S
from declarations.models import Attachment, Declaration
from declarations.services import ORGANISATION_FIELDS
from tests.factories import DeclarationFactory
from tests.factories.states import build_to, ready_to_submit

pytestmark = pytest.mark.django_db

BASE = "/applicant/declarations/{pk}/"
STEPS = ("organisation", "project", "facts", "attachments", "commitment", "review")

MATRIX = [
    ("get", BASE),
    ("post", BASE),
    ("get", BASE + "edit/"),
    ("post", BASE + "edit/"),
    *((method, BASE + f"steps/{step}/") for step in STEPS for method in ("get", "post")),
    ("post", BASE + "precheck/"),
    ("get", BASE + "attachments/{attachment_pk}/"),
    ("post", BASE + "attachments/{attachment_pk}/"),
    ("post", BASE + "attachments/{attachment_pk}/remove/"),
    ("get", BASE + "pdf/"),
    ("post", BASE + "pdf/"),
    ("get", BASE + "submit/"),
    ("get", BASE + "pdf/{document_pk}/status/"),
    ("post", BASE + "pdf/retry/"),
    ("post", BASE + "submit/"),
    ("get", BASE + "submitted/"),
    ("post", BASE + "withdraw/"),
]
GETS = [(method, template) for method, template in MATRIX if method == "get"]
VICTIM_STATES = ["draft", "submitted"]


def _id(entry):
    method, template = entry
    return f"{method.upper()} {template.removeprefix(BASE) or 'detail'}"


def payload(declaration):
    """Everything any of the declaration's forms and actions reads, valid, and different from what
    the declaration and its organisation hold: a view that forgot to check the organisation would
    save it."""
    return {
        # the organisation step
        "organisation_name": "Taken Over Co., Ltd.",
        "organisation_type": "enterprise",
        "district": "chaoyang",
        "registered_capital": "1,000,000",
        "established_on": "2018-01-01",
        "annual_revenue": "2,000,000",
        "legal_representative": "Intruder",
        # the project step
        "title": "Changed by another organisation",
        "summary": "Changed by another organisation.",
        # the facts step and the pre-check
        "facts-investee_name": "Someone Else Ltd.",
        "facts-investment_amount": "9,000,000.00",
        "facts-investee_established_on": "2023-05-10",
        "facts-investment_date": "2026-03-01",
        # the attachments step
        "evidence": "other",
        "file": SimpleUploadedFile("planted.pdf", evidence_pdf("planted"), "application/pdf"),
        # the commitment step
        "signatory_capacity": "authorised_contact",
        "signatory_name": "Intruder",
        "accept": "on",
        # withdrawal
        "note": "Withdrawn by another organisation.",
    }


def snapshot(declaration):
    """What another organisation's request must not change."""
    declaration = Declaration.objects.select_related("organisation").get(pk=declaration.pk)
    organisation = declaration.organisation
    storage = Attachment._meta.get_field("file").storage
    return {
        "state": declaration.state,
        "title": declaration.title,
        "summary": declaration.summary,
        "facts": declaration.facts,
        "number": declaration.number,
        "submitted_at": declaration.submitted_at,
        "attachments": [
            (a.pk, a.evidence, a.sha256, storage.exists(a.file.name)) for a in declaration.attachments.order_by("pk")
        ],
        "commitments": [(c.pk, c.voided_at) for c in declaration.commitments.order_by("pk")],
        "events": declaration.events.count(),
        "organisation": [getattr(organisation, name) for name in ORGANISATION_FIELDS],
    }


@pytest.fixture
def victim(request, draft, applicant):
    """The applicant's declaration, complete with its evidence files and signed commitment: a draft
    that could be submitted, or submitted with its number."""
    if request.param == "submitted":
        build_to(draft, S.SUBMITTED, cast=Cast(applicant=applicant, staff=None, reviewers=[], finance=None))
    else:
        ready_to_submit(draft, applicant)
    declaration = Declaration.objects.get(pk=draft.pk)
    if declaration.number:  # its PDF asked for: the document's status is one more page to reach
        declaration_document_request(
            declaration_id=declaration.pk, content_hash=declaration_content_hash(declaration), language="en"
        )
    assert declaration.attachments.exists()
    assert (declaration.state, bool(declaration.number)) == (
        (S.SUBMITTED, True) if request.param == "submitted" else (S.DRAFT, False)
    )
    return declaration


def url(template, declaration, attachment=None):
    attachment = attachment or declaration.attachments.order_by("pk").first()
    document = declaration.documents.order_by("pk").first()
    return template.format(pk=declaration.pk, attachment_pk=attachment.pk, document_pk=document.pk if document else 0)


def send(client, method, path, declaration):
    response = client.post(path, payload(declaration)) if method == "post" else client.get(path)
    if response.streaming:  # an evidence file: read to the end, the client closes the file then
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("victim", VICTIM_STATES, indirect=True)
@pytest.mark.parametrize(("method", "template"), MATRIX, ids=map(_id, MATRIX))
def test_another_organisations_declaration_is_not_found_and_unchanged(
    client, victim, other_applicant, method, template
):
    before = snapshot(victim)
    client.force_login(other_applicant)

    response = send(client, method, url(template, victim), victim)

    assert {"status": response.status_code, **snapshot(victim)} == {"status": 404, **before}


@pytest.mark.parametrize("victim", VICTIM_STATES, indirect=True)
@pytest.mark.parametrize(
    ("method", "template"),
    [entry for entry in MATRIX if "{attachment_pk}" in entry[1]],
    ids=lambda value: value if value in ("get", "post") else value.removeprefix(BASE),
)
def test_another_organisations_evidence_file_is_not_found_through_ones_own_declaration(
    client, victim, other_applicant, open_call, method, template
):
    """The attachment's pk is looked up among the declaration's own files, not among all files."""
    own = DeclarationFactory(organisation=other_applicant.organisation, call=open_call, created_by=other_applicant)
    before = snapshot(victim)
    client.force_login(other_applicant)

    path = url(template, own, attachment=victim.attachments.order_by("pk").first())
    response = send(client, method, path, own)

    assert {"status": response.status_code, **snapshot(victim)} == {"status": 404, **before}


@pytest.mark.parametrize("victim", VICTIM_STATES, indirect=True)
@pytest.mark.parametrize(("method", "template"), GETS, ids=map(_id, GETS))
def test_the_owner_reaches_every_page(client, victim, applicant, method, template):
    """The positive control: the 404s above come from the organisation check, not from a wrong URL."""
    if "pdf/" in template and victim.state == S.DRAFT:
        pytest.skip("a draft has no number and so no PDF yet (404 for its owner too, by design)")
    client.force_login(applicant)
    if "{document_pk}" in template:  # the status of the document the PDF's page asked for
        send(client, "get", url(BASE + "pdf/", victim), victim)

    response = send(client, method, url(template, victim), victim)

    # 202: the PDF's page waiting for its document (the test's transaction holds the task)
    assert response.status_code in (200, 202, 302)


def _pk_patterns():
    """The applicant URL patterns that take a declaration's pk."""
    return [
        p
        for p in declaration_urls.urlpatterns
        if "<int:pk>" in str(p.pattern) or "pk" in getattr(p.pattern, "converters", {})
    ]


def _covered():
    """(method, url name, step) of each entry of MATRIX, as Django's URL resolver reads it."""
    covered = set()
    for method, template in MATRIX:
        match = resolve(template.format(pk=1, attachment_pk=2, document_pk=3))
        assert match.namespace == "declarations", template
        covered.add((method, match.url_name, match.kwargs.get("step")))
    return covered


def test_every_declaration_url_is_in_the_matrix():
    patterns = _pk_patterns()
    assert {p.name for p in patterns} >= {"detail", "step", "attachment", "pdf", "submit", "withdraw"}
    named = {name for _method, name, _step in _covered()}
    missing = sorted(p.name or str(p.pattern) for p in patterns if p.name not in named)
    assert not missing, f"declarations/urls.py has pages MATRIX does not cover: {missing}"
    steps = {step for _method, name, step in _covered() if name == "step"}
    assert set(views.STEP_VIEWS) <= steps, f"steps MATRIX does not cover: {set(views.STEP_VIEWS) - steps}"


@pytest.mark.parametrize("victim", ["draft"], indirect=True)
def test_every_method_a_declaration_url_answers_is_in_the_matrix(client, victim, applicant):
    """For the owner, each pattern answers GET, POST or both (405 for the other); each it answers is
    listed, so a view that starts taking POSTs is checked for them too."""
    covered = _covered()
    client.force_login(applicant)
    attachment = victim.attachments.order_by("pk").first()
    missing = []
    for pattern in _pk_patterns():
        route = str(pattern.pattern)
        for step in views.STEP_VIEWS if pattern.name == "step" else [None]:
            path = "/applicant/" + route.replace("<int:pk>", str(victim.pk)).replace(
                "<int:attachment_pk>", str(attachment.pk)
            ).replace("<slug:step>", step or "").replace("<int:document_pk>", "0")
            for method in ("get", "post"):
                if send(client, method, path, victim).status_code == 405:
                    continue
                if (method, pattern.name, step) not in covered:
                    missing.append(f"{method.upper()} {path}")
    assert not missing, f"MATRIX does not cover: {missing}"
