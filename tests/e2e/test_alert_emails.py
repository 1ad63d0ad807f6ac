"""Alert emails on the local stack: a shipment that needs a person reaches the seeded contact's
inbox (GET /_local/outbox) with a resolve link to this stack's resolve page."""

import time
import uuid

import httpx

from tests.e2e.outbox import email_about, failing_shipment, fresh_contact, resolve_link


def test_a_shipment_missing_its_tracking_emails_the_contact_with_a_resolve_link(
    local_stack, order_request
):
    address = fresh_contact(local_stack)
    order_id = failing_shipment(local_stack, order_request)
    message = email_about(local_stack, order_id)
    assert message["to"] == f"Desk <{address}>"
    assert message["subject"] == f"Order {order_id} needs you: Missing Shipping Data"
    assert "a tracking number and a tracking URL" in message["plain"]
    assert resolve_link(message).startswith(local_stack.url)
    assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_transient_failure_being_retried_sends_no_email(local_stack, order_request):
    fresh_contact(local_stack)  # whose immediate email of this window is still unspent
    order_id = f"WEB-{uuid.uuid4().hex[:10]}"
    local_stack.set_faults(
        {"kind": "status", "status": 500, "orderId": f"demo-shop.{order_id}", "times": 3}
    )
    created = local_stack.channel.post("/v1/orders", json={**order_request, "orderId": order_id})
    local_stack.wait_for(created.json()["operationId"], {"failed", "synced"})
    time.sleep(2)  # the stream poller's turn
    outbox = httpx.get(f"{local_stack.url}/_local/outbox", timeout=10).json()
    assert [m for m in outbox if order_id in (m.get("subject") or "")] == []
