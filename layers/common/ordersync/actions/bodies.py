"""A resend's body, validated exactly as the channel's request for the same operation is (the
same pydantic models and field rules), and held to the operation it corrects: a correction may
change anything but what names the operation (the order id, the invoice number, the shipment
or refund id); another order is a new operation, sent by its channel."""

from typing import Any

from pydantic import BaseModel, ValidationError

from ordersync.actions.models import InvalidPayload
from ordersync.core.models import OperationMessage, OperationType
from ordersync.operations.intake import check_size
from ordersync.orders.payloads import (
    CancelOrderRequest,
    CreateOrderRequest,
    InvoiceRequest,
    RefundRequest,
    ShipmentRequest,
)

MODELS: dict[OperationType, type[BaseModel]] = {
    OperationType.CREATE: CreateOrderRequest,
    OperationType.CANCEL: CancelOrderRequest,
    OperationType.INVOICE: InvoiceRequest,
    OperationType.SHIPMENT: ShipmentRequest,
    OperationType.REFUND: RefundRequest,
}
# The body field that names the operation, and where the operation keeps it.
IDENTITY = {
    OperationType.CREATE: ("orderId", "order_id"),
    OperationType.INVOICE: ("invoiceNumber", "reference"),
    OperationType.SHIPMENT: ("shipmentId", "reference"),
    OperationType.REFUND: ("refundId", "reference"),
}


def corrected_body(message: OperationMessage, body: Any) -> dict[str, Any]:
    """`body` as the operation's new payload (as intake stores a channel's); InvalidPayload
    with every problem, or PayloadTooLarge."""
    if not isinstance(body, dict):
        problem = {"loc": ("body",), "msg": "send the corrected body as a JSON object"}
        raise InvalidPayload([{**problem, "type": "dict_type"}])
    model = MODELS[message.operation]
    problems: list[dict[str, Any]] = []
    try:
        parsed = model.model_validate(body)
    except ValidationError as error:
        problems += [
            {"loc": ("body", *map(str, e["loc"])), "msg": e["msg"], "type": e["type"]}
            for e in error.errors(include_url=False, include_context=False)
        ]
        parsed = None
    if message.operation in IDENTITY:
        field, attribute = IDENTITY[message.operation]
        expected = getattr(message, attribute)
        if field in body and body[field] != expected:
            problems.append(
                {
                    "loc": ("body", field),
                    "msg": f"must stay {expected!r}: a resend corrects this operation; "
                    "another one is sent by its channel",
                    "type": "identity_changed",
                }
            )
    if problems or parsed is None:
        raise InvalidPayload(problems)
    payload = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
    check_size(payload)
    return payload
