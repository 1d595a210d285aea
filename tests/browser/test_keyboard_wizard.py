"""The declaration wizard completed with the keyboard alone: Tab to reach a control, typing into it,
Space to tick, arrow keys to choose, Enter to press a button or follow a link; never a click. The one
step no key can take, choosing a file in the system's file dialog, is played by set_input_files on
the control the keyboard reached."""

import re

import pytest
from playwright.sync_api import expect

from config.demo import evidence_pdf
from declarations.enums import DeclarationState
from declarations.evidence import EVIDENCE
from declarations.models import Declaration
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Keyboard-only investment in Quantum Sensing"
MOST_TABS = 150  # a page's controls, and then some: a control not reached by then is out of the tab order


def tab_to(page, locator):
    """Press Tab until `locator` has the focus; fails when it is not in the page's tab order."""
    target = locator.element_handle()
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("element => element === document.activeElement", target):
            return
    raise AssertionError(f"{locator} is not reached with Tab")


def type_into(page, label, text, **options):
    """Type into the field of `label` (or a locator), reached with Tab, replacing what it held."""
    field = page.get_by_label(label, **options) if isinstance(label, str) else label
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def tick(page, label):
    tab_to(page, page.get_by_label(label))
    page.keyboard.press("Space")


def choose(page, label, option):
    """Choose an option of a select with the arrow keys, from its first."""
    select = page.get_by_label(label)
    tab_to(page, select)
    page.keyboard.press("Home")
    for _ in range(50):
        if select.evaluate("s => s.options[s.selectedIndex].text") == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {option!r} in {label!r}")


def press(page, locator, key="Enter"):
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press(key)


def test_an_applicant_completes_and_submits_a_declaration_with_the_keyboard_alone(
    live_server, page, applicant, open_call, output_dir
):
    page.set_default_timeout(30_000)  # a busy machine
    button = lambda name: page.get_by_role("button", name=name, exact=True)  # noqa: E731 -- a short alias

    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, page.locator("input[name=login]"), applicant.username)
    type_into(page, page.locator("input[name=password]"), PASSWORD)
    press(page, page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)))
    press(page, page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My declarations"))
    press(page, page.get_by_role("link", name="New declaration"))

    choose(page, "Call", open_call.title)
    choose(page, "Programme", "ART6 · Early hard-technology investment")
    type_into(page, "Project title", TITLE)
    press(page, button("Create draft"))

    # 1. Organisation: as the profile has it.
    expect(page.get_by_role("heading", name="Organisation", exact=True)).to_be_visible()
    press(page, button("Save and continue"))

    # 2. Project.
    type_into(page, "Project summary", "Seed round in a quantum sensing start-up founded in 2023.")
    press(page, button("Save and continue"))

    # 3. Facts: typed, ticked with Space; a date field takes its digits in the browser's order.
    type_into(page, "Registered capital of the investment institution (yuan)", "50,000,000")
    tick(page, "The investment institution is registered in Beijing")
    tick(page, "Registered as a private fund manager with the Asset Management Association of China")
    tick(page, "The fund is filed with the Asset Management Association of China")
    type_into(page, "Invested enterprise", "Quantum Sensing Ltd.", exact=True)
    type_into(page, "Invested enterprise established on", "05102023")
    type_into(page, "Date of the investment", "03012026")
    type_into(page, "Actual investment amount (yuan)", "8,000,000.00")
    type_into(page, "Equity ratio after the investment (%)", "12.5")
    tick(page, "First round of investment")
    tick(page, "In the Zhongguancun high-tech industries")
    tick(page, "Has core technology or own intellectual property")
    expect(page.locator("#precheck .badge")).to_have_text("Eligible")
    press(page, button("Save and continue"))

    # 4. Attachments: Tab to each kind's control, the file "chosen", Tab to its upload button, Enter.
    # Each upload leaves the focus on the next kind still missing, so no Tab is needed between them.
    required = [e for e in EVIDENCE["ART6"] if e.required]
    tab_to(page, page.get_by_label(str(required[0].label), exact=True))
    for evidence in required:
        control = page.get_by_label(str(evidence.label), exact=True)
        expect(control).to_be_focused()
        pdf = {"name": f"{evidence.code}.pdf", "mimeType": "application/pdf", "buffer": evidence_pdf(evidence.code)}
        control.set_input_files(files=[pdf])
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name=f"Upload files for {evidence.label}")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert").filter(has_text=f"{evidence.code}.pdf was attached.")).to_be_visible()
    continue_button = button("Continue")
    expect(continue_button).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # 5. Commitment: Space on the acceptance, Enter on the button.
    tick(page, "I have read the commitment letter above and accept it on behalf of the declaring unit.")
    press(page, button("Accept and sign"))

    # 6. Submit.
    expect(page.get_by_text("Everything needed is here.")).to_be_visible()
    press(page, button("Submit declaration"))
    # The confirmation step repeats what will happen; Enter on its button submits.
    expect(page.get_by_role("heading", name="Submit the declaration")).to_be_visible()
    assert_accessible(page)
    press(page, page.locator("#confirmation").get_by_role("button"))
    expect(page).to_have_url(re.compile(r"/applicant/declarations/\d+/submitted/$"))
    assert_accessible(page)
    page.screenshot(path=output_dir / "keyboard-wizard-submitted.png", full_page=True)

    declaration = Declaration.objects.get(title=TITLE)
    assert declaration.state == DeclarationState.SUBMITTED
    assert declaration.facts["investment_amount"] == "8000000.00"
    assert sorted(declaration.attachments.values_list("evidence", flat=True)) == sorted(e.code for e in required)
