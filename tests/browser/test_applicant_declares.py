"""The applicant's whole way in a real browser: sign up, declare an ART6 project step by step with
its evidence, sign the good-faith commitment and submit."""

import re

import pytest
from playwright.sync_api import expect

from config.demo import evidence_pdf
from declarations.enums import DeclarationState
from declarations.evidence import EVIDENCE
from declarations.models import Declaration
from tests.browser.conftest import assert_accessible
from tests.factories import CallFactory, credit_code_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LEGAL_REPRESENTATIVE = "Liu Yang"
ORGANISATION = "Haidian Photonics Investment Co., Ltd."
TITLE = "First-round investment in Quantum Sensing"
REQUIRED_EVIDENCE = [e for e in EVIDENCE["ART6"] if e.required]


def _pdf(name, text):
    return {"name": name, "mimeType": "application/pdf", "buffer": text}


def _continue(page, button="Save and continue"):
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def _sign_up(page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Username").fill("photonics")
    page.get_by_label("Email").fill("photonics@example.com")
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill("a-long-Pass-phrase-2026")
    page.get_by_label("Password (again)").fill("a-long-Pass-phrase-2026")
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_label("Unified social credit code").fill(credit_code_for(4242))
    page.get_by_label("Organisation type").select_option(label="Investment institution")
    page.get_by_label("Registered district").select_option(label="Haidian District")
    page.get_by_label("Registered capital (yuan)").fill("50,000,000")
    page.get_by_label("Date of establishment").fill("2015-03-01")
    page.get_by_label("Annual revenue of the last fiscal year (yuan)").fill("80,000,000.00")
    page.get_by_label("Legal representative").fill(LEGAL_REPRESENTATIVE)
    _continue(page, "Sign Up")
    # Signed in at once (ACCOUNT_EMAIL_VERIFICATION = "optional"): the account menu shows the user.
    expect(page.get_by_role("button", name="photonics")).to_be_visible()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My declarations").click()
    expect(page).to_have_url(f"{live_server.url}/applicant/")
    expect(page.get_by_role("heading", name="My declarations")).to_be_visible()
    expect(page.get_by_text(ORGANISATION)).to_be_visible()
    assert_accessible(page)


def _fill_facts(page):
    label = page.get_by_label
    label("Registered capital of the investment institution (yuan)").fill("50,000,000")
    label("The investment institution is registered in Beijing").check()
    label("Registered as a private fund manager with the Asset Management Association of China").check()
    label("The fund is filed with the Asset Management Association of China").check()
    label("Invested enterprise", exact=True).fill("Quantum Sensing Ltd.")
    label("Invested enterprise established on").fill("2023-05-10")
    label("Date of the investment").fill("2026-03-01")
    label("Actual investment amount (yuan)").fill("8,000,000.00")
    label("Equity ratio after the investment (%)").fill("12.5")
    label("First round of investment").check()
    label("In the Zhongguancun high-tech industries").check()
    label("Has core technology or own intellectual property").check()


def _attach(page, evidence_label, files):
    """Upload files for one kind of evidence through its own control; the script uploads them in the
    background and shows the step again without a page load."""
    page.get_by_label(evidence_label, exact=True).set_input_files(files=files)
    page.get_by_role("button", name=f"Upload files for {evidence_label}", exact=True).click()


def test_an_applicant_registers_declares_an_art6_project_with_evidence_signs_and_submits(live_server, page, output_dir):
    page.set_default_timeout(30_000)  # a first page of the live server on a busy machine takes its time
    call = CallFactory()
    number = f"ZGC-{call.year}-ART6-000001"

    _sign_up(page, live_server)

    # A new draft under the open call.
    page.get_by_role("link", name="New declaration").click()
    page.get_by_label("Call").select_option(label=call.title)
    page.get_by_label("Programme").select_option(label="ART6 · Early hard-technology investment")
    page.get_by_label("Project title").fill(TITLE)
    assert_accessible(page)
    _continue(page, "Create draft")

    # 1. Organisation: the profile given at sign-up.
    expect(page.get_by_role("heading", name="Organisation", exact=True)).to_be_visible()
    expect(page.get_by_label("Legal representative")).to_have_value(LEGAL_REPRESENTATIVE)
    assert_accessible(page)
    _continue(page)

    # 2. Project.
    expect(page.get_by_role("heading", name="Project", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Project summary").fill("Seed round in a quantum sensing start-up founded in 2023.")
    _continue(page)

    # 3. Facts, with the live pre-check beside them.
    expect(page.get_by_role("heading", name="Facts", exact=True)).to_be_visible()
    precheck = page.locator("#precheck")
    expect(precheck).to_contain_text("The award cap is computed once these facts are complete")
    _fill_facts(page)
    expect(precheck.locator(".badge")).to_have_text("Eligible")
    expect(precheck.locator("[data-award-cap]")).to_have_text("1,600,000.00")
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky pre-check beside the top of the form
    page.screenshot(path=output_dir / "declaration-facts.png", full_page=True)
    _continue(page)

    # 4. Attachments: one PDF for each required kind of evidence, each through its own control; after
    # each upload the focus moves on to the next kind still missing.
    expect(page.get_by_role("heading", name="Evidence for this programme")).to_be_visible()
    expect(page.get_by_role("combobox", name="Evidence")).to_have_count(0)
    assert_accessible(page)
    for position, evidence in enumerate(REQUIRED_EVIDENCE):
        name = f"{evidence.code}.pdf"
        _attach(page, str(evidence.label), [_pdf(name, evidence_pdf(evidence.code))])
        expect(page.get_by_role("alert").filter(has_text=f"{name} was attached.")).to_be_visible()
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
        if position + 1 < len(REQUIRED_EVIDENCE):
            expect(page.get_by_label(str(REQUIRED_EVIDENCE[position + 1].label), exact=True)).to_be_focused()
    expect(page.get_by_role("button", name="Continue")).to_be_focused()

    # Two files at once for the optional kind: a fake PDF is refused at its control, the other kept.
    _attach(
        page,
        "Other supporting material",
        [_pdf("fake.pdf", b"This is plain text, not a PDF.\n"), _pdf("minutes.pdf", evidence_pdf("minutes"))],
    )
    expect(page.get_by_text("1 file was not attached; the message at its control says why.")).to_be_visible()
    file_error = page.locator("#id_other_file_errors")
    expect(file_error).to_contain_text("fake.pdf: Only PDF, JPEG and PNG files are accepted")
    expect(page.get_by_label("Other supporting material", exact=True)).to_be_focused()
    expect(page.get_by_role("link", name="minutes.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="fake.pdf")).to_have_count(0)
    expect(page.locator(".badge", has_text="required")).to_have_count(0)
    assert_accessible(page)
    page.screenshot(path=output_dir / "declaration-attachments.png", full_page=True)
    _continue(page, "Continue")

    # 5. Commitment, in the name of the legal representative from the sign-up.
    expect(page.get_by_role("heading", name="Good-faith commitment letter (Art. 19)")).to_be_visible()
    expect(page.get_by_label("Signatory's name")).to_have_value(LEGAL_REPRESENTATIVE)
    expect(page.get_by_role("radio", name="Legal representative")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("I have read the commitment letter above and accept it").check()
    _continue(page, "Accept and sign")

    # 6. Review and submit.
    expect(page.get_by_text("The good-faith commitment was signed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Submit", exact=True)).to_be_visible()
    expect(page.locator("#submission-problems")).to_have_count(0)
    expect(page.get_by_text("Everything needed is here.")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=output_dir / "declaration-review.png", full_page=True)
    _continue(page, "Submit declaration")
    # The confirmation step repeats what submitting will do; nothing is sent before it.
    expect(page.get_by_role("heading", name="Submit the declaration")).to_be_visible()
    expect(page.locator("#confirmation")).to_contain_text(TITLE)
    page.screenshot(path=output_dir / "declaration-submit-confirm.png", full_page=True)
    with page.expect_navigation():
        page.locator("#confirmation button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/applicant/declarations/\d+/submitted/$"))
    expect(page.get_by_text(f"Declaration {number} was submitted.")).to_be_visible()
    expect(page.locator("#declaration-number")).to_have_text(number)
    expect(page.locator("#next-steps li")).to_have_count(4)
    page.screenshot(path=output_dir / "declaration-submitted.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="View the declaration").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("h1 + p")).to_contain_text(f"{number} · ART6")
    expect(page.locator(".badge.fs-6")).to_have_text("Submitted")

    page.goto(f"{live_server.url}/applicant/")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.get_by_role("cell", name=number)).to_be_visible()
    expect(row).to_contain_text("Submitted")
    assert_accessible(page)
    page.screenshot(path=output_dir / "dashboard-after-submission.png", full_page=True)

    declaration = Declaration.objects.get(number=number)
    assert declaration.state == DeclarationState.SUBMITTED
    assert declaration.facts["investment_amount"] == "8000000.00"
    assert declaration.organisation.name == ORGANISATION
    assert declaration.organisation.legal_representative == LEGAL_REPRESENTATIVE
    assert sorted(declaration.attachments.values_list("evidence", "original_name")) == sorted(
        [(e.code, f"{e.code}.pdf") for e in REQUIRED_EVIDENCE] + [("other", "minutes.pdf")]
    )
    commitment = declaration.commitments.get(voided_at__isnull=True)
    assert commitment.ip_address == "127.0.0.1"
    assert commitment.signatory_name == LEGAL_REPRESENTATIVE
