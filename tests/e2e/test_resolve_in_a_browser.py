"""The whole path as a merchant takes it, in Debian's Chromium (`make browser` installs it):
a shipment fails for missing tracking → the email in the outbox → its resolve link → the
shipping data filled in → resent → the alert reads resolved. A screenshot of each page is kept
in .artefacts/browser/."""

import shutil
import tempfile
from collections.abc import Iterator

import pytest

from tests.browser import ARTEFACTS, CHROMIUM, FLAGS, requires_chromium
from tests.e2e.outbox import email_about, failing_shipment, fresh_contact, resolve_link

pytestmark = requires_chromium


@pytest.fixture
def browser_page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="ordersync-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=FLAGS,
                viewport={"width": 390, "height": 844},  # a phone
            )
            try:
                yield context.new_page()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_a_merchant_fixes_a_shipment_from_the_email_in_a_browser(
    local_stack, order_request, browser_page
) -> None:
    page = browser_page
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    fresh_contact(local_stack)
    order_id = failing_shipment(local_stack, order_request)
    link = resolve_link(email_about(local_stack, order_id))

    page.goto(link)
    assert page.locator("h1").inner_text().startswith(f"Order {order_id}")
    assert page.locator("#alert-status").inner_text() == "open"
    page.screenshot(path=str(ARTEFACTS / "1-resolve-page.png"), full_page=True)

    page.fill("#f-trackingNumber", "TRK-778899")
    page.fill("#f-trackingUrl", "https://tracking.example/TRK-778899")
    page.screenshot(path=str(ARTEFACTS / "2-shipping-filled-in.png"), full_page=True)
    page.click("#resend")
    assert "Resent with your changes" in page.locator("#result").inner_text()
    page.screenshot(path=str(ARTEFACTS / "3-resent.png"), full_page=True)

    for _ in range(60):
        page.goto(link)  # a GET never spends the link: it shows where the alert is now
        if page.locator("#alert-status").inner_text() == "resolved":
            break
        page.wait_for_timeout(500)
    assert page.locator("#alert-status").inner_text() == "resolved"
    assert page.locator("form").count() == 0  # the link acted once; it acts no more
    page.screenshot(path=str(ARTEFACTS / "4-resolved.png"), full_page=True)
