"""In a real browser: a staff member makes an API token on their page (confirming the password), sees it
once, and the API's docs page draws the endpoints with nothing the Content-Security-Policy refuses."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_staff_make_a_token_and_read_the_api_docs(live_server, page, output_dir):
    StaffFactory(username="browser-staff")
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content-Security-Policy" in message.text else None
    )
    login(page, live_server, "browser-staff", PASSWORD)

    page.goto(f"{live_server.url}/api/tokens/")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.fill("input[name=name]", "Finance ledger sync")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the token").click()
    # The password is confirmed first; allauth then carries out the form as it was sent.
    assert "/accounts/reauthenticate/" in page.url
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    value = page.locator("#new-token-value").input_value()
    assert value.startswith("zgc_")
    expect(page.get_by_test_id("tokens")).to_contain_text("Finance ledger sync")
    page.screenshot(path=output_dir / "api-tokens.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=output_dir / "api-tokens-390.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("/api/declarations/", exact=True).first).to_be_visible(timeout=15000)
    page.screenshot(path=output_dir / "api-docs.png")
    assert refused == []
