"""The alert emails as the end-to-end tests reach them: a fresh contact to send to, a shipment
that needs a person, its email in the stack's outbox (`GET /_local/outbox`), its resolve link."""

import re
import time
import uuid
from typing import Any

import httpx


def fresh_contact(local_stack: Any) -> str:
    """A new immediate alert contact for demo-merchant, set by its admin through the API: the
    fatigue bound gives each recipient one immediate email per window, and earlier tests on
    this shared stack may have spent the seeded contact's."""
    address = f"desk-{uuid.uuid4().hex[:8]}@demo-merchant.test"
    answer = local_stack.user("admin@demo-merchant.test").put(
        "/v1/settings/notifications", json={"contacts": [{"name": "Desk", "email": address}]}
    )
    assert answer.status_code == 200, answer.text
    return address


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
