"""A platform that accepts for later, then rejects (Verification Rejected): the order's state
goes back to what it was before the operation, for each operation."""

from decimal import Decimal

import pytest

from ordersync.core.models import OperationMessage, OperationType
from ordersync.orders.lifecycle import OrderState, OrderStatus, apply, confirmed, revert
from tests.factories import operation_message

PAYLOADS = {
    OperationType.CREATE: ({"grandTotal": "31.95"}, None),
    OperationType.CANCEL: ({"reason": "customer"}, None),
    OperationType.INVOICE: ({"invoiceNumber": "INV-1"}, "INV-1"),
    OperationType.SHIPMENT: ({"shipmentId": "S1", "trackingNumber": "1Z"}, "S1"),
    OperationType.REFUND: ({"refundId": "R1", "amount": "5.00"}, "R1"),
}


def message(operation: OperationType, operation_id: str = "op-2") -> OperationMessage:
    payload, reference = PAYLOADS[operation]
    return operation_message(
        payload,
        operation=operation,
        operation_id=operation_id,
        order_id="WEB-1",
        reference=reference,
    )


def created() -> OrderState:
    return apply(message(OperationType.CREATE, "op-1"), None, {"id": "P-1"})


@pytest.mark.parametrize(
    "operation",
    [OperationType.CANCEL, OperationType.INVOICE, OperationType.SHIPMENT, OperationType.REFUND],
)
def test_a_rejected_follow_up_puts_the_order_back_as_it_was(operation):
    before = created()
    accepted = apply(message(operation), before, {}, unconfirmed=True)
    assert accepted != before

    assert revert(message(operation), accepted) == before


def test_a_rejected_creation_leaves_no_order():
    accepted = apply(message(OperationType.CREATE), None, {"id": "P-1"}, unconfirmed=True)

    assert revert(message(OperationType.CREATE), accepted) is None


def test_a_rejected_refund_gives_its_amount_back():
    before = created()
    accepted = apply(message(OperationType.REFUND), before, {}, unconfirmed=True)
    assert accepted.refunded_total == Decimal("5.00")

    assert revert(message(OperationType.REFUND), accepted).refunded_total == Decimal(0)


def test_a_status_a_later_operation_changed_again_is_left_as_it_made_it():
    invoiced = apply(message(OperationType.INVOICE), created(), {}, unconfirmed=True)
    shipped = apply(message(OperationType.SHIPMENT, "op-3"), invoiced, {})

    reverted = revert(message(OperationType.INVOICE), shipped)

    assert reverted.status is OrderStatus.SHIPPED
    assert reverted.invoices == []
    assert "op-2" not in reverted.applied


def test_a_confirmed_operation_keeps_its_effect_and_forgets_its_old_status():
    accepted = apply(message(OperationType.CANCEL), created(), {}, unconfirmed=True)

    kept = confirmed(message(OperationType.CANCEL), accepted)

    assert kept.status is OrderStatus.CANCELLED
    assert kept.unconfirmed == {}


def test_an_operation_never_applied_changes_nothing():
    assert revert(message(OperationType.CANCEL), created()) == created()
