"""An order's life on the platform, as ordersync has seen it, and the rules that refuse an
operation before anything is sent: wrong status, missing shipping data, refunds beyond payment,
cancellation a channel cannot do."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field

from ordersync.core.models import OperationMessage, OperationType, Record


class OrderStatus(StrEnum):
    PENDING = "pending"  # on the platform, not yet accepted there
    ACCEPTED = "accepted"
    INVOICED = "invoiced"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


# From which statuses each operation may go; creation has no prior status.
ALLOWED_FROM: dict[OperationType, tuple[OrderStatus, ...]] = {
    OperationType.CANCEL: (OrderStatus.PENDING, OrderStatus.ACCEPTED, OrderStatus.INVOICED),
    OperationType.INVOICE: (OrderStatus.ACCEPTED, OrderStatus.SHIPPED),
    OperationType.SHIPMENT: (OrderStatus.ACCEPTED, OrderStatus.INVOICED, OrderStatus.SHIPPED),
    OperationType.REFUND: (
        OrderStatus.ACCEPTED,
        OrderStatus.INVOICED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
    ),
}
AFTER: dict[OperationType, OrderStatus] = {
    OperationType.CANCEL: OrderStatus.CANCELLED,
    OperationType.INVOICE: OrderStatus.INVOICED,
    OperationType.SHIPMENT: OrderStatus.SHIPPED,
}
SHIPPING_DATA = {
    "trackingNumber": "a tracking number",
    "carrier": "a carrier",
    "trackingUrl": "a tracking URL",
}


class OrderState(Record):
    merchant_id: str
    integration_id: str
    channel_id: str
    order_id: str
    status: OrderStatus
    platform_order_id: str | None = None
    paid_total: Decimal = Decimal(0)
    refunded_total: Decimal = Decimal(0)
    invoices: list[str] = Field(default_factory=list)
    shipments: list[str] = Field(default_factory=list)
    refunds: list[str] = Field(default_factory=list)
    # The operations already applied to this state, newest last: a redelivery after a crash
    # between the platform's commit and our record must not be refused as a repeat of itself.
    applied: list[str] = Field(default_factory=list)
    # The status each operation the platform has not confirmed yet (a 202) found, so a later
    # rejection can put it back.
    unconfirmed: dict[str, OrderStatus] = Field(default_factory=dict)
    version: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Refusal:
    """An operation ordersync will not send, and the facts its catalog message names."""

    code: str
    facts: dict[str, Any] = field(default_factory=dict)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check(
    message: OperationMessage, state: OrderState | None, *, channel_can_cancel: bool
) -> Refusal | None:
    operation, payload = message.operation, message.payload
    if operation is OperationType.CREATE:
        return None
    if operation is OperationType.CANCEL and not channel_can_cancel:
        return Refusal("Cancellation Not Available")
    if operation is OperationType.SHIPMENT:
        missing = [label for name, label in SHIPPING_DATA.items() if not payload.get(name)]
        if missing:
            return Refusal("Missing Shipping Data", {"problems": _listed(missing)})
    if state is None:
        return Refusal("Order Not Yet Created")
    if operation is OperationType.CANCEL and state.status is OrderStatus.CANCELLED:
        return Refusal("Order Already Cancelled")
    if operation is OperationType.INVOICE and state.invoices:
        return Refusal(
            "Invalid Status Transition",
            {
                "current_status": f"already invoiced ({_listed(state.invoices)})",
                "required_status": " or ".join(s.value for s in ALLOWED_FROM[operation])
                + ", not yet invoiced",
            },
        )
    if operation is OperationType.REFUND:
        if message.reference in state.refunds:
            return Refusal("Duplicate Refund")
        amount = Decimal(str(payload["amount"]))
        if state.refunded_total + amount > state.paid_total:
            left = state.paid_total - state.refunded_total
            return Refusal(
                "Invalid Status Transition",
                {
                    "current_status": f"paid {state.paid_total}, refunded {state.refunded_total}",
                    "required_status": f"no more than {left} refunded now (asked: {amount})",
                },
            )
    allowed = ALLOWED_FROM[operation]
    if state.status not in allowed:
        return Refusal(
            "Invalid Status Transition",
            {
                "current_status": state.status.value,
                "required_status": " or ".join(s.value for s in allowed),
            },
        )
    return None


APPLIED_KEPT = 50


def _applied(state: OrderState | None, message: OperationMessage) -> list[str]:
    return [*(state.applied if state else []), message.operation_id][-APPLIED_KEPT:]


def already_applied(message: OperationMessage, state: OrderState | None) -> bool:
    return state is not None and message.operation_id in state.applied


def apply(
    message: OperationMessage,
    state: OrderState | None,
    platform_order: dict[str, Any],
    *,
    unconfirmed: bool = False,
) -> OrderState:
    """The order's state after the platform accepted `message` (`unconfirmed`: for now; it
    confirms or rejects it later)."""
    applied = _apply(message, state, platform_order)
    if unconfirmed:
        before = state.status if state is not None else OrderStatus.PENDING
        applied.unconfirmed = {**applied.unconfirmed, message.operation_id: before}
    return applied


def confirmed(message: OperationMessage, state: OrderState) -> OrderState:
    """The platform confirmed `message`: nothing to put back any more."""
    left = {k: v for k, v in state.unconfirmed.items() if k != message.operation_id}
    return state.model_copy(update={"unconfirmed": left})


def revert(message: OperationMessage, state: OrderState) -> OrderState | None:
    """The order's state as if the platform had never accepted `message`, which it rejected
    after accepting it for later; None when the order itself was never created. A status a
    later operation changed again is left as that operation made it."""
    if message.operation_id not in state.applied:
        return state
    if message.operation is OperationType.CREATE:
        return None
    before = state.unconfirmed.get(message.operation_id)
    changes: dict[str, Any] = {
        "applied": [done for done in state.applied if done != message.operation_id],
        "unconfirmed": confirmed(message, state).unconfirmed,
    }
    if (
        message.operation in AFTER
        and before is not None
        and state.status is AFTER[message.operation]
    ):
        changes["status"] = before
    reference = message.reference or ""
    if message.operation is OperationType.INVOICE:
        changes["invoices"] = [done for done in state.invoices if done != reference]
    elif message.operation is OperationType.SHIPMENT:
        changes["shipments"] = [done for done in state.shipments if done != reference]
    elif message.operation is OperationType.REFUND and reference in state.refunds:
        changes["refunds"] = [done for done in state.refunds if done != reference]
        changes["refunded_total"] = state.refunded_total - Decimal(str(message.payload["amount"]))
    return state.model_copy(update=changes)


def _apply(
    message: OperationMessage, state: OrderState | None, platform_order: dict[str, Any]
) -> OrderState:
    payload = message.payload
    if message.operation is OperationType.CREATE or state is None:
        reported = str(platform_order.get("status") or OrderStatus.ACCEPTED.value)
        return OrderState(
            merchant_id=message.merchant_id,
            integration_id=message.integration_id,
            channel_id=message.channel_id,
            order_id=message.order_id,
            status=OrderStatus(reported) if reported in OrderStatus else OrderStatus.ACCEPTED,
            platform_order_id=platform_order.get("id"),
            paid_total=Decimal(str(payload.get("grandTotal", 0))),
            applied=_applied(state, message),
            version=state.version if state else 0,
        )
    changes: dict[str, Any] = {"applied": _applied(state, message)}
    if message.operation in AFTER:
        changes["status"] = AFTER[message.operation]
    reference = message.reference or ""
    if message.operation is OperationType.INVOICE:
        changes["invoices"] = [*state.invoices, reference]
    elif message.operation is OperationType.SHIPMENT:
        changes["shipments"] = [*state.shipments, reference]
    elif message.operation is OperationType.REFUND:
        changes["refunds"] = [*state.refunds, reference]
        changes["refunded_total"] = state.refunded_total + Decimal(str(payload["amount"]))
    return state.model_copy(update=changes)
