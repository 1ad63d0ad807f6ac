"""The resolve page's correction form on the local stack, for a code other than missing
shipping data: a platform that rejects an order's shipping address (a field it names) emails
a resolve link; the page offers those fields, a bad value is a 422 page listing every problem
(the link still usable), and the corrected address is resent and syncs."""

import re
import uuid

import httpx

from tests.e2e.outbox import email_about, fresh_contact, resolve_link

REJECTION = "shippingAddress.postalCode is not a postal code of shippingAddress.country"


def _form(page: str) -> dict[str, str]:
    return {"csrf": re.findall(r'name="csrf" value="([^"]+)"', page)[0], "action": "resend"}


def test_an_address_rejection_is_corrected_on_the_resolve_page_and_syncs(
    local_stack, order_request
):
    fresh_contact(local_stack)  # whose immediate email of this window is still unspent
    order_id = f"WEB-{uuid.uuid4().hex[:10]}"
    local_stack.set_faults(
        {"kind": "reject", "message": REJECTION, "orderId": f"demo-shop.{order_id}"}
    )
    created = local_stack.channel.post("/v1/orders", json={**order_request, "orderId": order_id})
    operation_id = created.json()["operationId"]
    local_stack.wait_for(operation_id, {"failed"})
    link = resolve_link(email_about(local_stack, order_id))

    with httpx.Client(timeout=30) as browser:
        page = browser.get(link).text
        assert 'id="f-shippingAddress-postalCode" name="shippingAddress.postalCode"' in page
        assert 'id="f-shippingAddress-country" name="shippingAddress.country"' in page

        bad = browser.post(
            link,
            data={
                **_form(page),
                "shippingAddress.postalCode": "",
                "shippingAddress.country": "gb",
            },
        )
        assert bad.status_code == 422
        assert "shippingAddress.postalCode: Field required" in bad.text
        assert "shippingAddress.country: String should match pattern" in bad.text

        good = browser.post(
            link, data={**_form(bad.text), "shippingAddress.postalCode": "EC1A 1BB"}
        )
        assert good.status_code == 200, good.text
        assert "Resent with your changes" in good.text

    operation = local_stack.wait_for(operation_id, {"synced"})
    sent = [r["contentSource"] or "" for r in operation["history"] if r["step"] == "order"]
    assert ["EC1A 1BB" in body for body in sent].count(True) == 1  # the resent run's body
    assert operation["alert"]["status"] == "resolved"
