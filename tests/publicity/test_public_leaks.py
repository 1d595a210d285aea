"""No public page, export or feed of the publicity namespace shows a classified project or a person's
identifier unmasked, and the check is not vacuous: with the masking functions disabled it finds the
identifiers the data hold.

The pages are every URL name of the `publicity` namespace that does not start with `console`; a new
public URL fails `test_every_public_url_is_checked` until it is added to PUBLIC_REQUESTS."""

import io
import re

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from declarations.models import Declaration, Organisation
from publicity import urls as publicity_urls
from publicity.models import Objection
from publicity.services import EntryCorrection, publicity_batch_open, publicity_version_publish
from tests.factories import CallFactory
from tests.publicity.conftest import OPENED_ON, STARTS_ON, on

ID_NUMBER = "110101199003074578"
TELEPHONE = "13912345678"
BANK_ACCOUNT = "6222020200112233445"
OBJECTOR_TELEPHONE = "13800001111"
OBJECTOR_EMAIL = "wang.wu@example.com"
IDENTIFIERS = (ID_NUMBER, TELEPHONE, BANK_ACCOUNT, OBJECTOR_TELEPHONE, OBJECTOR_EMAIL)


@pytest.fixture
def leaky_data(staff, make_approved):
    """A list with a public project whose title, unit and legal representative carry a person's
    ID number, telephone and bank account, and a classified project; a correction whose changelog
    names an objector's telephone and a bank account; objections with the objectors' contacts; and a
    second list of a classified project only."""
    with on(OPENED_ON):
        call = CallFactory()
        public, secret = make_approved(call, 1)[0], make_approved(call, 1, classified=True)[0]
        (lonely_secret,) = make_approved(CallFactory(), 1, classified=True)
        Declaration.objects.filter(pk=public.pk).update(title=f"Quantum sensing (contact {TELEPHONE}, ID {ID_NUMBER})")
        Organisation.objects.filter(pk=public.organisation_id).update(
            name=f"Zhang San Studio, account {BANK_ACCOUNT}", legal_representative=f"Zhang San {ID_NUMBER}"
        )
        Declaration.objects.filter(pk=secret.pk).update(title="Secret satellite payload")
        Organisation.objects.filter(pk=secret.organisation_id).update(name="Classified Institute Co., Ltd.")
        Declaration.objects.filter(pk=lonely_secret.pk).update(title="Secret radar array")
        batch = publicity_batch_open(actor=staff, call=call, declaration_ids=[public.pk, secret.pk])
        lonely = publicity_batch_open(actor=staff, call=lonely_secret.call, declaration_ids=[lonely_secret.pk])
    with on(STARTS_ON):
        publicity_version_publish(
            actor=staff,
            batch_id=batch.pk,
            changelog=f"Title corrected after an objection by {OBJECTOR_TELEPHONE}; account {BANK_ACCOUNT}.",
            corrections=[
                EntryCorrection(
                    entry_id=public.publicity_entries.get().pk, title=f"Quantum sensing platform, ID {ID_NUMBER}"
                )
            ],
        )
    secret = Declaration.objects.select_related("organisation").get(pk=secret.pk)
    lonely_secret = Declaration.objects.select_related("organisation").get(pk=lonely_secret.pk)
    classified = [
        text
        for declaration in (secret, lonely_secret)
        for text in (
            declaration.number,
            declaration.title,
            declaration.organisation.name,
            declaration.organisation.credit_code,
        )
    ]
    return {
        "batch": batch,
        "lonely": lonely,
        "public_entry": public.publicity_entries.get(),
        "secret_entry": secret.publicity_entries.get(),
        "classified": classified,
    }


def _objection(data, contact):
    return {"name": "王五", "contact": contact, "text": f"Objection; reach me at {contact}."}


# Each public URL name: the requests (method, URL, data) that read it, in a state where it shows what
# it shows. An unknown name fails test_every_public_url_is_checked.
PUBLIC_REQUESTS = {
    "board": lambda d: [
        ("get", reverse("publicity:board"), {}),
        ("get", reverse("publicity:board"), {"page": "2"}),
        ("get", reverse("publicity:board"), {"batch": str(d["lonely"].pk)}),
    ],
    "feed": lambda d: [("get", reverse("publicity:feed"), {})],
    "archive": lambda d: [("get", reverse("publicity:archive"), {})],
    "batch": lambda d: [
        ("get", reverse("publicity:batch", args=[d["batch"].pk]), {}),
        ("get", reverse("publicity:batch", args=[d["lonely"].pk]), {}),
    ],
    "version": lambda d: (
        [("get", reverse("publicity:version", args=[d["batch"].pk, number]), {}) for number in (1, 2)]
        + [("get", reverse("publicity:version", args=[d["lonely"].pk, 1]), {})]
    ),
    "batch_csv": lambda d: [
        ("get", reverse("publicity:batch_csv", args=[d["batch"].pk]), {}),
        ("get", reverse("publicity:batch_csv", args=[d["batch"].pk]), {"version": "1"}),
        ("get", reverse("publicity:batch_csv", args=[d["lonely"].pk]), {}),
    ],
    "notice_pdf": lambda d: [
        ("get", reverse("publicity:notice_pdf", args=[d["batch"].pk]), {}),
        ("get", reverse("publicity:notice_pdf", args=[d["batch"].pk]), {"version": "1"}),
        ("get", reverse("publicity:notice_pdf", args=[d["lonely"].pk]), {}),
    ],
    "objection": lambda d: [
        ("get", reverse("publicity:objection", args=[d["public_entry"].pk]), {}),
        ("get", reverse("publicity:objection", args=[d["secret_entry"].pk]), {}),
        ("post", reverse("publicity:objection", args=[d["public_entry"].pk]), _objection(d, OBJECTOR_TELEPHONE)),
        ("post", reverse("publicity:objection", args=[d["public_entry"].pk]), _objection(d, OBJECTOR_EMAIL)),
        ("post", reverse("publicity:objection", args=[d["secret_entry"].pk]), _objection(d, OBJECTOR_TELEPHONE)),
    ],
    # The receipt, shown to the browser session that raised the objection (the posts above).
    "objection_receipt": lambda d: [
        ("get", reverse("publicity:objection_receipt", args=[o.receipt_number]), {})
        for o in Objection.objects.order_by("pk")
    ],
    # Staff only (under console/): an anonymous reader is sent to sign in.
    "objection_handle": lambda d: [
        ("get", reverse("publicity:objection_handle", args=[Objection.objects.first().pk]), {}),
        ("post", reverse("publicity:objection_handle", args=[Objection.objects.first().pk]), {}),
    ],
    # The objector's look-up, by receipt number and the contact given: it shows the contact masked.
    "objection_lookup": lambda d: [
        ("get", reverse("publicity:objection_lookup"), {}),
        *(
            ("post", reverse("publicity:objection_lookup"), {"receipt_number": o.receipt_number, "contact": o.contact})
            for o in Objection.objects.order_by("pk")
        ),
    ],
}


def public_url_names():
    return sorted(p.name for p in publicity_urls.urlpatterns if p.name and not str(p.pattern).startswith("console/"))


def _text(response):
    if response.get("Content-Type") == "application/pdf":
        content = b"".join(response.streaming_content)
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _squeezed(text):
    """Without white space, so a value a PDF wrapped over two lines is still found."""
    return re.sub(r"\s+", "", text)


def public_pages(data):
    """Every public page for every request of PUBLIC_REQUESTS, in both languages, as text (a PDF's
    extracted), with the objections raised on the way."""
    pages = {}
    # Objections are raised first (the objection form's POSTs), so the pages after them show their
    # traces, if any.
    ordered = sorted(public_url_names(), key=lambda name: name != "objection")
    for language in ("en", "zh-hans"):
        client = Client()
        client.cookies["django_language"] = language
        with on(STARTS_ON):
            for name in ordered:
                for method, url, params in PUBLIC_REQUESTS[name](data):
                    if language != "en" and method == "post" and name == "objection":
                        continue
                    response = getattr(client, method)(url, params, follow=method == "post")
                    pages[(language, name, method, url, tuple(sorted(params.items())))] = _text(response)
    return pages


def leaks(pages, data):
    """(page, what it shows that it must not) for every page: a classified project's number, title,
    unit or credit code, or a person's identifier unmasked."""
    forbidden = [*data["classified"], *IDENTIFIERS]
    return sorted(
        (key, secret) for key, text in pages.items() for secret in forbidden if _squeezed(secret) in _squeezed(text)
    )


def test_every_public_url_is_checked():
    assert [name for name in public_url_names() if name not in PUBLIC_REQUESTS] == []


def test_public_pages_show_no_classified_project_and_no_unmasked_identifier(leaky_data):
    pages = public_pages(leaky_data)

    assert leaks(pages, leaky_data) == []
    # Not vacuous: the public project is there, its identifiers masked.
    board = pages[("en", "board", "get", reverse("publicity:board"), ())]
    first = pages[("en", "version", "get", reverse("publicity:version", args=[leaky_data["batch"].pk, 1]), ())]
    assert ("110101********4578" in board, "***************3445" in board) == (True, True)
    assert ("*******5678" in first, "*******1111" in first) == (True, True)
    assert Objection.objects.count() == 2


@pytest.fixture
def masking_disabled(monkeypatch):
    """Every masking function of common.masking returning its value as it is, from before the data
    is published (the published rows are masked when their version is)."""
    from common import masking

    for name in ("mask_id_number", "mask_telephone", "mask_bank_account", "mask_email", "mask_contact"):
        monkeypatch.setattr(masking, name, lambda value: value)


def test_the_leak_check_finds_the_identifiers_once_masking_is_disabled(masking_disabled, leaky_data):
    found = leaks(public_pages(leaky_data), leaky_data)

    assert {secret for _page, secret in found} == set(IDENTIFIERS)
    # The board's rows too (the current title names the ID number, the unit the bank account): they
    # are masked when their version is published.
    assert {secret for (_language, name, *_rest), secret in found if name == "board"} == {ID_NUMBER, BANK_ACCOUNT}


def test_the_search_finds_no_row_by_a_persons_identifier(client, leaky_data):
    """The search text is made of the masked unit and title: asking for an ID number, a telephone
    number or a bank account finds nothing, as the pages show none."""
    for identifier in (ID_NUMBER, TELEPHONE, BANK_ACCOUNT):
        response = client.get(reverse("publicity:board"), {"q": identifier})
        assert list(response.context["board"].page) == []
    assert [row.title for row in client.get(reverse("publicity:board"), {"q": "quantum"}).context["board"].page] == [
        "Quantum sensing platform, ID 110101********4578"
    ]


def test_migration_masks_the_rows_published_before_and_their_search_text(publicise):
    """publicity migration 0011, run on rows stored unmasked as earlier versions stored them."""
    import importlib

    from django.apps import apps

    from publicity.models import PublishedEntry

    migration = importlib.import_module("publicity.migrations.0011_published_rows_masked")
    _batch, (declaration, other) = publicise(2)
    row = PublishedEntry.objects.get(entry__declaration=declaration)
    raw_title = f"Sensors, call {TELEPHONE}"
    PublishedEntry.objects.filter(pk=row.pk).update(
        title=raw_title, unit_name=f"Studio {BANK_ACCOUNT}", search_text=f"studio {BANK_ACCOUNT} {raw_title}".lower()
    )
    untouched = PublishedEntry.objects.values_list("title", "search_text").get(entry__declaration=other)

    migration.mask_rows(apps, None)

    row.refresh_from_db()
    assert (row.unit_name, row.title) == ("Studio ***************3445", "Sensors, call *******5678")
    assert row.search_text == f"studio ***************3445 sensors, call *******5678 {row.number.lower()}"
    assert PublishedEntry.objects.values_list("title", "search_text").get(entry__declaration=other) == untouched
