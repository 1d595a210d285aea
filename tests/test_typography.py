"""Chinese typography and one language per page (issue 17): every page each role reaches over the
demo data (tests/crawl.py), read in Chinese and in English, every notice in both and every e-mail
in its recipient's, the pages after a few actions (with their messages and form errors) and the
HTML the PDFs are made from pass the rules of tests/typography.py: no half-width punctuation
beside Chinese text, no ISO date in Chinese text, no raw empty choice, and no text of the other
language than the reader's.

Names and notes that people typed stay in the language they were typed in: the demo's are Chinese,
so an English page may show them. They are the `allowed` texts: every value of the demo's text
columns, except the halves of a text held in both languages (a call's title_zh and title_en) and
the messages the system stored by key (in a text column or inside JSON), which must be rendered in
the reader's language: the history notes, the Art. 17 findings and the notes naming them, a default
performance indicator's name and unit. The demo has each of them (an acceptance the Art. 17 check
turned into a disqualification, an order the re-check blocked, plans set from the defaults)."""

import io

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import translation

from accounts.models import User
from common.confirm import CONFIRM_FIELD, CONFIRM_VALUE
from declarations.documents import declaration_pdf_html
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.programmes import PROGRAMMES, Kind
from disbursement.documents import payment_order_html
from disbursement.models import PaymentOrder
from notices.models import Notice
from notices.services import notice_deliver
from tests import typography
from tests.crawl import same_site_links, start_pages, walk
from tests.test_headers import DECLARATION_PAGES, PageScan, header_nonce

pytestmark = pytest.mark.django_db

ROLES = [None, "applicant1", "staff", "reviewer1", "finance", "admin"]
LANGUAGES = ["zh-hans", "en"]
LANGUAGE_CODE = {"zh-hans": "zh", "en": "en"}
PAGE_LIMIT = 200
# Django's admin and the API's documentation page are read by tests/test_admin_typography.py, which
# opens every model's list and forms there, rather than by this crawl.
NOT_SCANNED = ("/admin/", "/api/docs/")
# A wrong answer to a fact of each kind: each gets its message.
WRONG_FACT = {Kind.MONEY: "-1", Kind.PERCENT: "101", Kind.INTEGER: "1.5", Kind.DATE: "9999-01-01", Kind.CHOICE: "?"}


def _strings(value):
    """The texts in a column's value: itself, its lines, and those inside a JSON value (facts);
    none of a message the system stored (a text column's or one inside JSON, as a re-check's
    findings keep theirs)."""
    if isinstance(value, str) and value and not value.startswith('{"msg":'):
        yield value
        yield from value.splitlines()
    elif isinstance(value, dict) and "msg" not in value:
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def typed_texts():
    """Every text people typed into the demo's rows (see the module's docstring), but for the
    histories' change reasons: the demo's are all notes the system wrote, which must be stored as
    messages and read in the reader's language, so one stored as plain text is a finding."""
    texts = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.name.endswith(("_zh", "_en"))
            and not f.choices
            and f.name != "history_change_reason"
        ]
        for row in model.objects.values_list(*fields) if fields else ():
            for value in row:
                texts.update(_strings(value))
    return texts


@pytest.fixture(scope="module")
def demo(module_db):
    """The demo, each role's walk over it in each language: (language, username, path, findings)
    for every HTML page, the texts people typed, the notices, and the e-mails of its notices."""
    pages = []
    with module_db.building():
        call_command("load_demo", stdout=io.StringIO())
        sent_before = len(mail.outbox)
        for notice in Notice.objects.filter(emailed_at__isnull=True).exclude(recipient__email=""):
            notice_deliver(notice_id=notice.pk)
        emails = [
            (User.objects.get(email=message.to[0]).language, message.subject, message.body)
            for message in mail.outbox[sent_before:]
        ]
        allowed = typed_texts()
        for language in LANGUAGES:
            for username in ROLES:
                client = Client(raise_request_exception=False, headers={"accept-language": language})
                if username:
                    client.force_login(User.objects.get(username=username))

                def fetch(path, client=client, username=username, language=language):
                    response = client.get(path)
                    if response.status_code in (301, 302, 303, 307, 308):
                        return same_site_links(f"http://testserver{path}", [response["Location"]])
                    if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
                        return []
                    if path.startswith(NOT_SCANNED):
                        return []
                    html = response.content.decode()
                    scan = PageScan(header_nonce(response.get("Content-Security-Policy", "")))
                    scan.feed(html)
                    pages.append((language, username, path, typography.findings(html, allowed)))
                    return same_site_links(f"http://testserver{path}", scan.links)

                walk(fetch, start_pages(username, DECLARATION_PAGES), limit=PAGE_LIMIT)
        notices = []
        for notice in Notice.objects.all():
            for language in LANGUAGES:
                with translation.override(language):
                    notices.append((language, notice.pk, str(notice.subject), str(notice.body)))
    return pages, allowed, notices, emails


def test_every_page_of_every_role_in_each_language_keeps_to_the_typography_and_the_readers_language(demo):
    pages, *_ = demo
    assert {language for language, *_ in pages} == set(LANGUAGES)
    assert len(pages) > 300
    wrong = {(language, username, path): found for language, username, path, found in pages if found}

    assert wrong == {}


def test_every_notice_reads_in_the_readers_language_with_its_typography(demo):
    _, allowed, notices, _ = demo
    assert len(notices) > 20
    wrong = {}
    for language, pk, subject, body in notices:
        found = typography.text_findings(f"{subject}\n{body}", LANGUAGE_CODE[language], allowed)
        if found:
            wrong[(language, pk)] = found

    assert wrong == {}


def test_every_e_mail_reads_in_its_recipients_language_with_its_typography(demo):
    _, allowed, _, emails = demo
    # The demo's users read Chinese; each notice in English is read by the test above.
    assert len(emails) > 20
    wrong = {}
    for number, (language, subject, body) in enumerate(emails):
        found = typography.text_findings(f"{subject}\n{body}", LANGUAGE_CODE[language], allowed)
        if found:
            wrong[(language, number, subject)] = found
    assert wrong == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_what_the_applicant_is_told_after_an_action_keeps_to_the_typography_and_the_readers_language(demo, language):
    """The pages after an applicant's actions, with the messages and form errors they show: a
    submission refused for what is missing, a step saved with wrong input, and an attempt to edit a
    submitted declaration."""
    _, allowed, _, _ = demo
    client = Client(headers={"accept-language": language})
    applicant = User.objects.get(username="applicant1")
    client.force_login(applicant)
    draft = Declaration.objects.get(state=S.DRAFT, organisation=applicant.organisation)
    submitted = Declaration.objects.filter(organisation=applicant.organisation, state=S.SUBMITTED).first()
    responses = {
        "submit refused": client.post(
            f"/applicant/declarations/{draft.pk}/submit/", {CONFIRM_FIELD: CONFIRM_VALUE}, follow=True
        ),
        "project step": client.post(
            f"/applicant/declarations/{draft.pk}/steps/project/", {"title": "", "summary": ""}, follow=True
        ),
        "facts step": client.post(
            f"/applicant/declarations/{draft.pk}/steps/facts/",
            {f"facts-{fact.name}": WRONG_FACT.get(fact.kind, "") for fact in PROGRAMMES[draft.programme.code].facts},
            follow=True,
        ),
        "edit submitted": client.get(f"/applicant/declarations/{submitted.pk}/steps/project/", follow=True),
    }
    told = {action: [str(m) for m in response.context["messages"]] for action, response in responses.items()}
    assert all(told.values()), told
    wrong = {
        action: found
        for action, response in responses.items()
        if (found := typography.findings(response.content.decode(), allowed))
    }
    assert wrong == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_what_staff_are_told_after_an_action_keeps_to_the_typography_and_the_readers_language(demo, language):
    """The console after staff accept a submitted declaration with no item of the checklist
    confirmed (the unticked items listed), then return it for revision (a success message, the
    history's new line)."""
    _, allowed, _, _ = demo
    client = Client(headers={"accept-language": language})
    client.force_login(User.objects.get(username="staff"))
    submitted = Declaration.objects.filter(state=S.SUBMITTED).first()
    refused_accept = client.post(
        f"/console/{submitted.pk}/",
        {"action": "acceptance", CONFIRM_FIELD: CONFIRM_VALUE, "acceptance-outcome": "accept"},
        follow=True,
    )
    returned = client.post(
        f"/console/{submitted.pk}/",
        {
            "action": "acceptance",
            CONFIRM_FIELD: CONFIRM_VALUE,
            "acceptance-outcome": "return",
            "acceptance-note": "请补充付款凭证。",
        },
        follow=True,
    )
    responses = {"accept refused": refused_accept, "returned": returned}
    told = {action: [str(m) for m in response.context["messages"]] for action, response in responses.items()}
    assert all(told.values()), told
    assert refused_accept.context["acceptance_form"].errors["checklist"]
    wrong = {
        action: found
        for action, response in responses.items()
        if (found := typography.findings(response.content.decode(), allowed))
    }
    assert wrong == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_documents_made_as_pdf_keep_to_the_typography_and_the_readers_language(demo, language):
    """The HTML the PDFs are made from: a declaration's in each state and every payment order."""
    _, allowed, _, _ = demo
    one_in_each_state = {d.state: d for d in Declaration.objects.order_by("-pk")}.values()
    with translation.override(language):
        documents = {f"declaration {d.pk} ({d.state})": declaration_pdf_html(d) for d in one_in_each_state}
        documents |= {f"payment order {o.pk}": payment_order_html(o) for o in PaymentOrder.objects.all()}
    assert len(documents) > 10
    wrong = {name: found for name, html in documents.items() if (found := typography.findings(html, allowed))}
    assert wrong == {}


def test_the_notes_and_names_the_system_stored_read_in_each_language_with_no_text_of_the_other(demo):
    """What the system wrote into the demo's rows as messages (history notes, the Art. 17 findings
    and the notes naming them, default indicators' names and units, changelogs), each rendered in
    both languages: none holds text of the other language but what people typed."""
    from declarations.models import DeclarationEvent
    from disbursement.models import PaymentOrderEvent, Recheck
    from monitoring.models import PerformanceIndicator
    from publicity.models import BatchVersion
    from review.models import AcceptanceCheck

    _, allowed, _, _ = demo
    stored = [
        *DeclarationEvent.objects.values_list("note", flat=True),
        *PaymentOrderEvent.objects.values_list("note", flat=True),
        *AcceptanceCheck.objects.values_list("note", flat=True),
        *BatchVersion.objects.values_list("changelog", flat=True),
        *(found for recheck in Recheck.objects.all() for found in recheck.finding_messages),
        *(value for indicator in PerformanceIndicator.objects.all() for value in (indicator.name, indicator.unit)),
    ]
    messages = [value for value in stored if getattr(value, "key", "")]
    keys = {value.key for value in messages}
    assert {
        "review.recheck.disqualified",
        "review.recheck.credit",
        "monitoring.indicator.name",
        "monitoring.indicator.unit",
        "publicity.ended",
    } <= keys
    wrong = {}
    for value in messages:
        for language in LANGUAGES:
            found = typography.text_findings(value.in_language(language), LANGUAGE_CODE[language], allowed)
            if found:
                wrong[(value.key, language, value.in_language(language))] = found
    assert wrong == {}
