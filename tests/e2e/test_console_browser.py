"""The console in a real browser (Debian's chromium, `make browser`, driven by Playwright) against
the local stack, walked as a merchant would. Each step saves a screenshot under
.artefacts/browser/ (the test's artefacts); the alerts page and an order's page are also saved to
docs/console/, where the README shows them."""

import csv
import shutil
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from openpyxl import load_workbook

from local.template import ROOT
from tests.browser import ARTEFACTS, CHROMIUM, FLAGS, requires_chromium
from tests.factories import load_event, new_order

README_SHOTS = ROOT / "docs/console"
PASSWORD = "ordersync-local"

pytestmark = [pytest.mark.slow, requires_chromium]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives the browser a new, empty profile directory of its own each time (it
        # refuses --user-data-dir, which is launch_persistent_context's).
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield browser
        browser.close()


class Walk:
    """One user's tab, and the step screenshots it takes."""

    def __init__(self, browser: Any, base: str, who: str, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.base, self.who = base, who
        ARTEFACTS.mkdir(parents=True, exist_ok=True)

    def shot(self, step: str, *, readme: str | None = None) -> None:
        path = ARTEFACTS / f"{self.who}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if readme:
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, README_SHOTS / readme)

    def sign_in(self, email: str) -> None:
        self.page.goto(f"{self.base}/console/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/console/overview")
        self.shot("signed-in")

    def close(self) -> None:
        self.context.close()


def failed_orders(local_stack: Any, count: int) -> dict[str, str]:
    """Orders the platform rejects (a business rejection: waits for a person): order id ->
    operation id."""
    orders = [new_order(load_event("requests/create_order.json")) for _ in range(count)]
    for order in orders:
        local_stack.set_faults(
            {
                "kind": "reject",
                "message": "ship method EXPRESS-X unknown",
                "code": "E42",
                "orderId": f"demo-shop.{order['orderId']}",
                "times": 50,
            }
        )
    operations = [local_stack.channel.post("/v1/orders", json=order).json() for order in orders]
    for operation in operations:
        local_stack.wait_for(operation["operationId"], {"failed"})
    return {o["orderId"]: op["operationId"] for o, op in zip(orders, operations, strict=True)}


def test_an_operator_triages_bulk_retries_and_resends_and_others_see_what_they_may(
    local_stack, chromium
):
    operations = failed_orders(local_stack, 3)
    orders = list(operations)
    operator = Walk(chromium, local_stack.url, "operator")
    operator.sign_in("operator@demo-merchant.test")
    page = operator.page

    # Triage: errors updated today.
    page.get_by_role("link", name="Triage").click()
    page.wait_for_url("**/alerts?view=triage")
    for order in orders:
        assert page.get_by_role("link", name=order).count() == 1
    operator.shot("triage")

    # Filter by the code of the first order's alert.
    page.get_by_role("link", name=orders[0]).click()
    code = page.locator("dl.facts dd").nth(1).inner_text().split(" (")[0]
    operator.shot("order-before-retry")
    page.goto(f"{local_stack.url}/console/alerts?view=triage")
    if page.locator("details.filters").get_attribute("open") is None:
        page.locator("summary", has_text="Filters and columns").click()
    page.get_by_label("Code", exact=True).select_option(code)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    for order in orders:
        assert page.get_by_role("link", name=order).count() == 1
    operator.shot("filtered-by-code", readme="alerts.png")

    # The view exported, and the files opened as a user would open them.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    csv_file = ARTEFACTS / "export.csv"
    csv_download.value.save_as(csv_file)
    with csv_file.open(newline="") as handle:
        exported = {row["orderId"] for row in csv.DictReader(handle)}
    assert set(orders) <= exported
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="XLSX").click()
    xlsx_file = ARTEFACTS / "export.xlsx"
    xlsx_download.value.save_as(xlsx_file)
    sheet = load_workbook(xlsx_file, read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert set(orders) <= {row[header.index("orderId")] for row in rows}

    # The platform is fixed; every matching alert retried at once.
    httpx.delete(f"{local_stack.platform_url}/_platform/faults", timeout=10).raise_for_status()
    page.get_by_label("Select all matching these filters").check()
    page.get_by_role("button", name="Retry").click()
    page.wait_for_load_state()
    page.wait_for_url("**/console/jobs/*")
    deadline = time.monotonic() + 60
    while "finished" not in page.get_by_role("status").inner_text():
        assert time.monotonic() < deadline, page.get_by_role("status").inner_text()
        time.sleep(0.5)
        page.reload()
    assert "3 done" in page.get_by_role("status").inner_text()
    operator.shot("bulk-retry-job")
    for operation_id in operations.values():
        local_stack.wait_for(operation_id, {"synced"})
    page.goto(f"{local_stack.url}/console/orders?status=synced")
    for order in orders:
        assert page.get_by_role("link", name=order).count() == 1
    operator.shot("synced")

    # A shipment held for missing shipping data, corrected and resent from the order's page.
    shipped = orders[0]
    body = {"shipmentId": f"SHP-{shipped}", "shippedAt": "2026-11-25T08:00:00Z"}
    held = local_stack.channel.post(f"/v1/orders/{shipped}/shipment", json=body).json()
    local_stack.wait_for(held["operationId"], {"failed"})
    page.goto(
        f"{local_stack.url}/console/alerts?{urlencode({'identifier': shipped, 'code': 'Missing Shipping Data'})}"
    )
    page.get_by_role("link", name=shipped).first.click()
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JD0146")
    page.get_by_label("Tracking URL").fill("https://www.dhl.com/track?id=JD0146")
    operator.shot("order-page", readme="order.png")
    page.get_by_role("button", name="Resend").click()
    assert "1 of 1 done" in page.get_by_role("status").inner_text()
    operator.shot("resent")
    local_stack.wait_for(held["operationId"], {"synced"})
    operator.close()

    # A viewer finds no action; the other merchant finds none of it.
    viewer = Walk(chromium, local_stack.url, "viewer", width=375)
    viewer.sign_in("viewer@demo-merchant.test")
    viewer.page.goto(f"{local_stack.url}/console/alerts")
    assert viewer.page.get_by_role("button", name="Retry").count() == 0
    viewer.shot("no-actions-at-375px")
    viewer.close()
    other = Walk(chromium, local_stack.url, "other-merchant")
    other.sign_in("admin@other-merchant.test")
    other.page.goto(f"{local_stack.url}/console/orders?status=synced")
    for order in orders:
        assert other.page.get_by_role("link", name=order).count() == 0
    other.shot("none-of-demo")
    other.close()

    # An admin, on a phone, sets the operator's alert emails to hourly; the API reads it back.
    admin = Walk(chromium, local_stack.url, "admin", width=375)
    admin.sign_in("admin@demo-merchant.test")
    admin.page.goto(f"{local_stack.url}/console/settings#alert-contacts")
    operator_contact = admin.page.get_by_role(
        "group", name="operator@demo-merchant.test (operator)"
    )
    operator_contact.get_by_label("Email frequency").select_option("hourly")
    admin.shot("alert-contacts-at-375px")
    operator_contact.get_by_role("button", name="Save frequency").click()
    admin.page.wait_for_url("**/console/settings#alert-contacts")
    settings = local_stack.user("admin@demo-merchant.test").get("/v1/settings/notifications")
    users = {user["email"]: user["frequency"] for user in settings.json()["users"]}
    assert users["operator@demo-merchant.test"] == "hourly"
    admin.shot("alert-contacts-saved")
    # Back as seeded: the stack is shared with the other end-to-end tests.
    operator_contact.get_by_label("Email frequency").select_option("immediate")
    operator_contact.get_by_role("button", name="Save frequency").click()
    admin.page.wait_for_url("**/console/settings#alert-contacts")
    admin.close()
