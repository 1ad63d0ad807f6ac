"""The resolve page on moto renders, for each code that waits for a person, a form with the
fields that code points at (ordersync.actions.edits), prefilled from the operation's body."""

from typing import Any

import pytest

from ordersync.core.aws import reset_clients
from ordersync.notifications import tokens
from ordersync.operations.models import WorkflowInput
from ordersync.operations.outcomes import record_outcome
from tests.factories import delivery_summary, load_event, unique
from tests.integration.test_resolve_page import request

ORDER = load_event("requests/create_order.json")
BODIES: dict[str, tuple[dict[str, Any], str | None]] = {
    "create": (ORDER, None),
    "shipment": ({"shipmentId": "S1", "shippedAt": "2026-11-25T08:00:00Z"}, "S1"),
    "invoice": (
        {"invoiceNumber": "I1", "issuedAt": "2026-11-25T08:00:00Z", "currency": "EUR", "total": 1},
        "I1",
    ),
    "refund": ({"refundId": "R1", "amount": "5.00", "currency": "EUR"}, "R1"),
}


@pytest.mark.parametrize(
    ("code", "operation", "facts", "fields"),
    [
        (
            "Missing Shipping Data",
            "shipment",
            {"problems": "a carrier"},
            ["carrier", "trackingUrl"],
        ),
        ("Ship Method Mapping Missing", "create", {"detail": "EXPRESS"}, ["shippingMethod"]),
        (
            "Insufficient Data",
            "create",
            {"problems": "postalCode is missing"},
            ["shippingAddress.postalCode"],
        ),
        (
            "Order Creation Failed",
            "create",
            {"detail": "the shipping address is incomplete"},
            ["shippingAddress.line1", "shippingAddress.country"],
        ),
        ("Order Invoice Creation Failed", "invoice", {"detail": "bad total"}, ["total"]),
        ("Refund Creation Failed", "refund", {"detail": "amount too high"}, ["amount"]),
    ],
)
def test_each_codes_form_renders_the_fields_it_points_at(
    stack, accepted, monkeypatch, code, operation, facts, fields
) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://alerts.ordersync.test")
    reset_clients()
    body, reference = BODIES[operation]
    message = accepted(body, order_id=unique("WEB-"), operation=operation, reference=reference)
    summary = delivery_summary(code, order_id=message.order_id, reference=reference, **facts)
    record_outcome(WorkflowInput(message=message, delivery=summary))
    token = tokens.issue_resolve(message.merchant_id, message.entity_key, "ops@m.test")

    page = request("GET", f"/resolve/{token}")["body"]
    assert 'id="resend-form"' in page
    for name in fields:
        assert f'name="{name}"' in page, name
    assert 'name="orderId"' not in page
