"""Cancel, invoice, shipment and refund through the local stack: each one's happy path, its
typical failure, the status rules that refuse without calling the platform, and the signed
callback that tells the platform how each operation ended."""

import uuid

import httpx
import pytest

from local.seed import MARKETPLACE_CREDENTIAL
from tests.factories import load_event


@pytest.fixture
def created(local_stack, order_request):
    """A new order, synced to the platform (accepted there)."""
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]
    local_stack.wait_for(operation_id, {"synced"}, seconds=30)
    return order


def send(local_stack, order_id, operation, body, client=None):
    response = (client or local_stack.channel).post(f"/v1/orders/{order_id}/{operation}", json=body)
    assert response.status_code == 202, response.text
    return response.json()["operationId"]


def order_step(operation):
    return [r for r in operation["history"] if r["step"] == "order"]


def test_invoice_then_shipment_then_refund_are_synced_and_reported_back(local_stack, created):
    order_id = created["orderId"]
    invoice = send(local_stack, order_id, "invoice", load_event("requests/invoice_order.json"))
    synced = local_stack.wait_for(invoice, {"synced"})
    assert synced["lastResponse"]["code"] == "Order Invoice Created"

    shipment = send(local_stack, order_id, "shipment", load_event("requests/ship_order.json"))
    synced = local_stack.wait_for(shipment, {"synced"})
    assert synced["lastResponse"]["code"] == "Order Updated"
    assert synced["lastResponse"]["systemCall"] == f"POST /orders/demo-shop.{order_id}/shipments"

    refund = send(local_stack, order_id, "refund", load_event("requests/refund_order.json"))
    synced = local_stack.wait_for(refund, {"synced"})
    assert synced["lastResponse"]["code"] == "Refund Created"

    # Each of the three is reported back to the platform, signed, once.
    for operation_id, code in [
        (invoice, "Order Invoice Created"),
        (shipment, "Order Updated"),
        (refund, "Refund Created"),
    ]:
        reported = local_stack.wait_for_step(operation_id, "callback")
        assert reported["status"] == "synced"
        callback = next(r for r in reported["history"] if r["step"] == "callback")
        assert callback["outcome"]["code"] == "Integration Status Updated"
        received = [c for c in local_stack.callbacks() if c["body"]["operationId"] == operation_id]
        assert received == [{"body": received[0]["body"], "verified": True}]
        assert received[0]["body"]["code"] == code


def test_a_cancelled_order_cannot_be_shipped_and_the_platform_is_not_called(local_stack, created):
    order_id = created["orderId"]
    cancel = send(local_stack, order_id, "cancel", load_event("requests/cancel_order.json"))
    assert local_stack.wait_for(cancel, {"synced"})["lastResponse"]["code"] == "Order Cancelled"
    requests_before = local_stack.platform_stats()["requests"]
    shipment = send(local_stack, order_id, "shipment", load_event("requests/ship_order.json"))
    refused = local_stack.wait_for(shipment, {"failed"})["lastResponse"]
    assert refused["code"] == "Invalid Status Transition"
    assert refused["businessMessage"] == (
        f"Order {order_id} is cancelled; the shipment needs it to be accepted or invoiced or shipped."
    )
    assert refused["httpCode"] is None
    assert local_stack.platform_stats()["requests"] == requests_before


def test_a_shipped_order_cannot_be_cancelled(local_stack, created):
    order_id = created["orderId"]
    local_stack.wait_for(
        send(local_stack, order_id, "shipment", load_event("requests/ship_order.json")), {"synced"}
    )
    cancel = send(local_stack, order_id, "cancel", load_event("requests/cancel_order.json"))
    refused = local_stack.wait_for(cancel, {"failed"})["lastResponse"]
    assert refused["businessMessage"] == (
        f"Order {order_id} is shipped; the cancel needs it to be pending or accepted or invoiced."
    )


def test_a_shipment_without_tracking_lists_what_is_missing_and_calls_nothing(local_stack, created):
    requests_before = local_stack.platform_stats()["requests"]
    body = {"shipmentId": "SHP-9", "shippedAt": "2026-11-25T08:00:00Z", "carrier": "DHL"}
    operation = local_stack.wait_for(
        send(local_stack, created["orderId"], "shipment", body), {"failed"}
    )
    alert = operation["alert"]
    assert alert["outcome"]["code"] == "Missing Shipping Data"
    assert "a tracking number and a tracking URL" in alert["outcome"]["businessMessage"]
    assert alert["outcome"]["retryClass"] == "needs action"
    assert local_stack.platform_stats()["requests"] == requests_before


def test_shipping_an_order_the_platform_has_not_accepted_names_both_statuses(
    local_stack, order_request
):
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    local_stack.set_faults(
        {"kind": "hold", "orderId": f"demo-shop.{order['orderId']}", "path": "/orders"}
    )
    local_stack.wait_for(
        local_stack.channel.post("/v1/orders", json=order).json()["operationId"], {"synced"}
    )
    shipment = send(
        local_stack, order["orderId"], "shipment", load_event("requests/ship_order.json")
    )
    message = local_stack.wait_for(shipment, {"failed"})["alert"]["outcome"]["businessMessage"]
    assert message == (
        f"Order {order['orderId']} is pending; the shipment needs it to be accepted or invoiced or shipped."
    )


def test_invoicing_twice_and_refunding_beyond_payment_are_refused(local_stack, created):
    order_id = created["orderId"]
    local_stack.wait_for(
        send(local_stack, order_id, "invoice", load_event("requests/invoice_order.json")),
        {"synced"},
    )
    second = {**load_event("requests/invoice_order.json"), "invoiceNumber": "INV-2026-0043"}
    refused = local_stack.wait_for(send(local_stack, order_id, "invoice", second), {"failed"})
    assert refused["lastResponse"]["code"] == "Invalid Status Transition"
    assert "already invoiced (INV-2026-0042)" in refused["lastResponse"]["businessMessage"]

    too_much = {"refundId": "RF-BIG", "amount": "40.00", "currency": "EUR"}
    refused = local_stack.wait_for(send(local_stack, order_id, "refund", too_much), {"failed"})
    assert refused["lastResponse"]["code"] == "Invalid Status Transition"
    assert "paid 31.95, refunded 0" in refused["lastResponse"]["businessMessage"]
    assert "no more than 31.95" in refused["lastResponse"]["businessMessage"]


@pytest.mark.parametrize(
    ("operation", "body", "code"),
    [
        ("cancel", "requests/cancel_order.json", "Order Cancellation Failed"),
        ("invoice", "requests/invoice_order.json", "Order Invoice Creation Failed"),
        ("shipment", "requests/ship_order.json", "Order Shipment Update Failed"),
        ("refund", "requests/refund_order.json", "Refund Creation Failed"),
    ],
)
def test_each_operation_s_platform_refusal_has_its_own_code_and_content(
    local_stack, created, operation, body, code
):
    local_stack.set_faults(
        {
            "kind": "reject",
            "message": "locked by the warehouse",
            "orderId": f"demo-shop.{created['orderId']}",
        }
    )
    failed = local_stack.wait_for(
        send(local_stack, created["orderId"], operation, load_event(body)), {"failed"}
    )
    assert failed["alert"]["outcome"]["code"] == code
    assert "locked by the warehouse" in failed["alert"]["outcome"]["businessMessage"]
    [record] = order_step(failed)
    assert record["contentSource"]
    assert record["contentTranslated"]
    assert "locked by the warehouse" in record["contentDestination"]


def test_a_channel_without_a_cancellation_api_is_told_to_cancel_in_its_back_office(
    local_stack, order_request
):
    marketplace = httpx.Client(
        base_url=local_stack.url,
        headers={"Authorization": f"Bearer {MARKETPLACE_CREDENTIAL}"},
        timeout=30,
    )
    order = {**order_request, "orderId": f"MKP-{uuid.uuid4().hex[:10]}"}
    created = marketplace.post("/v1/orders", json=order).json()["operationId"]
    local_stack.wait_for(created, {"synced"}, client=marketplace)
    operation_id = send(local_stack, order["orderId"], "cancel", {}, client=marketplace)
    outcome = local_stack.wait_for(operation_id, {"failed"}, client=marketplace)["alert"]["outcome"]
    assert outcome["code"] == "Cancellation Not Available"
    assert "Demo Marketplace" in outcome["businessMessage"]
    assert "back office" in outcome["action"]


def test_platform_warnings_and_reason_codes_are_classified(local_stack, order_request):
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    local_stack.set_faults(
        {
            "kind": "warn",
            "code": "SKU_NOT_FOUND",
            "warnings": ["MUG-WHITE"],
            "orderId": f"demo-shop.{order['orderId']}",
            "path": "/orders",
        }
    )
    operation = local_stack.wait_for(
        local_stack.channel.post("/v1/orders", json=order).json()["operationId"], {"synced"}
    )
    assert operation["lastResponse"]["code"] == "SKU Not Found"
    assert operation["lastResponse"]["level"] == "warning"
    assert operation["alert"]["status"] == "open", "a warning stays open for review"
    assert "MUG-WHITE" in operation["lastResponse"]["businessMessage"]


def test_a_failing_callback_is_recorded_but_does_not_change_the_operation(local_stack, created):
    local_stack.set_faults(
        {"kind": "status", "status": 400, "path": "/callbacks", "orderId": created["orderId"]}
    )
    operation_id = send(
        local_stack, created["orderId"], "invoice", load_event("requests/invoice_order.json")
    )
    operation = local_stack.wait_for_step(operation_id, "callback")
    callback = next(r for r in operation["history"] if r["step"] == "callback")
    assert callback["outcome"]["code"] == "Alert Update Failed"
    # The operation stays as its delivery left it: synced, its own alert resolved.
    assert operation["status"] == "synced"
    assert operation["lastResponse"]["code"] == "Order Invoice Created"
    assert operation["alert"]["status"] == "resolved"


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (401, {"message": "token expired"}, "Unauthorized"),
        (403, {"message": "no access to warehouse 2"}, "Forbidden"),
        (404, {"message": "no such endpoint"}, "Not Found"),
        (200, "accepted", "Invalid Api Response"),
        (200, {"processed": False, "message": "queue full"}, "Not Processed"),
        (422, {"code": "SKU_INACTIVE", "message": "MUG-WHITE"}, "SKU Inactive"),
        (422, {"code": "VALUE_DIVERGENCE", "message": "total 30.95"}, "Value Divergence"),
        (422, {"code": "CANCELLED_IN_CHANNEL"}, "Order Cancelled In Channel"),
        (422, {"code": "INVALID_STATUS"}, "Invalid Status Transition"),
    ],
)
def test_what_the_platform_answers_is_classified_end_to_end(
    local_stack, order_request, status, body, code
):
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    local_stack.set_faults(
        {
            "kind": "answer",
            "status": status,
            "body": body,
            "orderId": f"demo-shop.{order['orderId']}",
            "path": "/orders",
        }
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]

    ended = local_stack.wait_for(operation_id, {"failed", "synced"})

    assert ended["alert"]["outcome"]["code"] == code
    assert ended["alert"]["outcome"]["httpCode"] == status
    assert ended["attempts"] == 1, "none of these is retried"


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"kind": "rate_limit", "retryAfter": 1}, "Rate Limited"),
        ({"kind": "timeout", "seconds": 3}, "Timeout"),
    ],
)
def test_transient_answers_are_recorded_then_retried_until_synced(
    local_stack, order_request, fault, code
):
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    local_stack.set_faults({**fault, "orderId": f"demo-shop.{order['orderId']}", "path": "/orders"})
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]

    synced = local_stack.wait_for(operation_id, {"synced"})

    codes = [record["outcome"]["code"] for record in reversed(order_step(synced))]
    assert codes[0] == code
    assert codes[-1] == "Order Created"
    assert local_stack.platform_stats()["effectsByKey"][f"create:demo-shop.{order['orderId']}"] == 1
