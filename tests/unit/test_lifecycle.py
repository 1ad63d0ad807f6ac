from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordersync.core.models import OperationMessage, OperationType
from ordersync.orders.lifecycle import OrderState, OrderStatus, apply, check

SHIPMENT = {
    "shipmentId": "S1",
    "shippedAt": "2026-11-25T08:00:00Z",
    "carrier": "DHL",
    "trackingNumber": "1Z",
    "trackingUrl": "https://t.example/1Z",
}


def message(operation: OperationType, payload=None, reference=None) -> OperationMessage:
    return OperationMessage(
        operation_id="op",
        operation=operation,
        merchant_id="m",
        integration_id="erp",
        channel_id="shop",
        order_id="WEB-1",
        reference=reference,
        accepted_at=datetime.now(UTC),
        payload=payload or {},
    )


def state(status: OrderStatus, **changes) -> OrderState:
    return OrderState(
        merchant_id="m",
        integration_id="erp",
        channel_id="shop",
        order_id="WEB-1",
        status=status,
        paid_total=Decimal("31.95"),
        **changes,
    )


def test_creation_has_no_prior_status():
    assert check(message(OperationType.CREATE), None, channel_can_cancel=True) is None


@pytest.mark.parametrize(
    ("operation", "status", "required"),
    [
        (OperationType.SHIPMENT, OrderStatus.PENDING, "accepted or invoiced or shipped"),
        (OperationType.SHIPMENT, OrderStatus.CANCELLED, "accepted or invoiced or shipped"),
        (OperationType.CANCEL, OrderStatus.SHIPPED, "pending or accepted or invoiced"),
        (OperationType.INVOICE, OrderStatus.PENDING, "accepted or shipped"),
        (OperationType.REFUND, OrderStatus.PENDING, "accepted or invoiced or shipped or cancelled"),
    ],
)
def test_each_invalid_transition_names_the_current_and_required_status(operation, status, required):
    payload = SHIPMENT if operation is OperationType.SHIPMENT else {"amount": "1.00"}
    refusal = check(message(operation, payload, "R1"), state(status), channel_can_cancel=True)
    assert refusal.code == "Invalid Status Transition"
    assert refusal.facts == {"current_status": status.value, "required_status": required}


def test_missing_shipping_data_lists_everything_missing_at_once():
    refusal = check(
        message(OperationType.SHIPMENT, {"shipmentId": "S1"}),
        state(OrderStatus.ACCEPTED),
        channel_can_cancel=True,
    )
    assert refusal.code == "Missing Shipping Data"
    assert refusal.facts["problems"] == "a tracking number, a carrier and a tracking URL"


def test_an_order_is_not_invoiced_twice():
    refusal = check(
        message(OperationType.INVOICE, {}, "INV-2"),
        state(OrderStatus.SHIPPED, invoices=["INV-1"]),
        channel_can_cancel=True,
    )
    assert refusal.code == "Invalid Status Transition"
    assert refusal.facts["current_status"] == "already invoiced (INV-1)"


def test_refunds_cannot_exceed_what_was_paid_and_are_not_repeated():
    paid = state(OrderStatus.SHIPPED, refunded_total=Decimal("30.00"), refunds=["R1"])
    too_much = check(
        message(OperationType.REFUND, {"amount": "2.00"}, "R2"), paid, channel_can_cancel=True
    )
    assert too_much.code == "Invalid Status Transition"
    assert too_much.facts["current_status"] == "paid 31.95, refunded 30.00"
    assert "no more than 1.95" in too_much.facts["required_status"]
    assert (
        check(
            message(OperationType.REFUND, {"amount": "1.95"}, "R2"), paid, channel_can_cancel=True
        )
        is None
    )
    assert (
        check(
            message(OperationType.REFUND, {"amount": "1.00"}, "R1"), paid, channel_can_cancel=True
        ).code
        == "Duplicate Refund"
    )


def test_cancellation_rules():
    cancel = message(OperationType.CANCEL)
    assert (
        check(cancel, state(OrderStatus.ACCEPTED), channel_can_cancel=False).code
        == "Cancellation Not Available"
    )
    assert (
        check(cancel, state(OrderStatus.CANCELLED), channel_can_cancel=True).code
        == "Order Already Cancelled"
    )
    assert check(cancel, None, channel_can_cancel=True).code == "Order Not Yet Created"


def test_applying_operations_moves_the_order_along():
    created = apply(
        message(OperationType.CREATE, {"grandTotal": "31.95"}),
        None,
        {"id": "PO-1", "status": "accepted"},
    )
    assert (created.status, created.platform_order_id, created.paid_total) == (
        OrderStatus.ACCEPTED,
        "PO-1",
        Decimal("31.95"),
    )
    invoiced = apply(message(OperationType.INVOICE, {}, "INV-1"), created, {})
    assert (invoiced.status, invoiced.invoices) == (OrderStatus.INVOICED, ["INV-1"])
    refunded = apply(message(OperationType.REFUND, {"amount": "5.00"}, "R1"), invoiced, {})
    assert (refunded.status, refunded.refunded_total, refunded.refunds) == (
        OrderStatus.INVOICED,
        Decimal("5.00"),
        ["R1"],
    )
    held = apply(
        message(OperationType.CREATE, {"grandTotal": "1"}),
        None,
        {"id": "PO-2", "status": "pending"},
    )
    assert held.status is OrderStatus.PENDING
