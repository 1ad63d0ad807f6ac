"""Alert emails on the local stack: a shipment that needs a person reaches the seeded contact's
inbox (GET /_local/outbox) with a resolve link to this stack's resolve page."""

import re
import time
import uuid
from typing import Any

import httpx


def failing_shipment(local_stack: Any, order_request: dict[str, Any]) -> str:
    """A new, synced order whose shipment lacks its tracking number and URL; its order id."""
    order_id = f"WEB-{uuid.uuid4().hex[:10]}"
    created = local_stack.channel.post("/v1/orders", json={**order_request, "orderId": order_id})
    local_stack.wait_for(created.json()["operationId"], {"synced"}, seconds=30)
    body = {"shipmentId": "SHP-1", "shippedAt": "2026-11-25T08:00:00Z", "carrier": "DHL"}
    shipment = local_stack.channel.post(f"/v1/orders/{order_id}/shipment", json=body)
    local_stack.wait_for(shipment.json()["operationId"], {"failed"})
    return order_id


def email_about(local_stack: Any, order_id: str, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        outbox = httpx.get(f"{local_stack.url}/_local/outbox", timeout=10).json()
        found = [m for m in outbox if order_id in (m.get("subject") or "")]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no email about {order_id}"
        time.sleep(0.2)


def resolve_link(message: dict[str, Any]) -> str:
    return re.findall(r"http://127\.0\.0\.1:\d+/resolve/[A-Za-z0-9_-]{43}", message["plain"])[0]


def test_a_shipment_missing_its_tracking_emails_the_contact_with_a_resolve_link(
    local_stack, order_request
):
    order_id = failing_shipment(local_stack, order_request)
    message = email_about(local_stack, order_id)
    assert message["to"] == "Demo ops desk <alerts@demo-merchant.test>"
    assert message["subject"] == f"Order {order_id} needs you: Missing Shipping Data"
    assert "a tracking number and a tracking URL" in message["plain"]
    assert resolve_link(message).startswith(local_stack.url)
    assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_transient_failure_being_retried_sends_no_email(local_stack, order_request):
    order_id = f"WEB-{uuid.uuid4().hex[:10]}"
    local_stack.set_faults(
        {"kind": "status", "status": 500, "orderId": f"demo-shop.{order_id}", "times": 3}
    )
    created = local_stack.channel.post("/v1/orders", json={**order_request, "orderId": order_id})
    local_stack.wait_for(created.json()["operationId"], {"failed", "synced"})
    time.sleep(2)  # the stream poller's turn
    outbox = httpx.get(f"{local_stack.url}/_local/outbox", timeout=10).json()
    assert [m for m in outbox if order_id in (m.get("subject") or "")] == []
