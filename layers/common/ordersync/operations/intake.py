"""Accepting a channel's operation: record it once, queue it once, answer with its id."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from ordersync.core import aws
from ordersync.core.models import OperationMessage, OperationType, RetryClass
from ordersync.core.settings import get_settings
from ordersync.operations.models import AcceptedOperation, OperationStatus
from ordersync.operations.records import OperationStore, same_payload

# Operation ids are derived, not drawn: the same (merchant, channel, operation, order) always gets
# the same id, and the conditional put of its record is the API's one idempotency mechanism. The
# merchant is part of it because a channel id is unique only within its merchant: two merchants'
# "shopify" channels sending order 1001 are two operations, not a repeat (nor a 409).
OPERATION_NAMESPACE = uuid.UUID("6f1c2a3e-9a54-4f0e-8a43-0c5d2b7e91a4")


# An SQS message holds at most 256 KB; the payload travels in it with its envelope.
MAX_PAYLOAD_BYTES = 200_000


class ConflictingRepeat(Exception):
    """The same operation was sent again with a different body."""


class PayloadTooLarge(Exception):
    """The operation's body is larger than ordersync carries."""


class AcceptRequest(BaseModel):
    channel_id: str
    merchant_id: str
    integration_id: str
    operation: OperationType
    order_id: str
    reference: str | None = None
    feed_id: str | None = None
    payload: dict[str, Any]


def operation_id_for(
    merchant_id: str,
    channel_id: str,
    operation: OperationType,
    order_id: str,
    reference: str | None = None,
) -> str:
    # A JSON list names the parts unambiguously, whatever characters the ids hold.
    parts = [merchant_id, channel_id, operation.value, order_id]
    name = json.dumps(parts + ([reference] if reference else []), separators=(",", ":"))
    return str(uuid.uuid5(OPERATION_NAMESPACE, name))


def _accept(request: AcceptRequest) -> AcceptedOperation:
    message = _message_for(request)
    store = OperationStore()
    if not store.create(message):
        if not same_payload(store.payload_hash_of(message.operation_id), request.payload):
            return _resend(store, message)
        return AcceptedOperation(operation_id=message.operation_id, status=OperationStatus.PENDING)
    queue(message)
    return AcceptedOperation(operation_id=message.operation_id, status=OperationStatus.PENDING)


def _message_for(request: AcceptRequest) -> OperationMessage:
    return OperationMessage(
        operation_id=operation_id_for(
            request.merchant_id,
            request.channel_id,
            request.operation,
            request.order_id,
            request.reference,
        ),
        operation=request.operation,
        merchant_id=request.merchant_id,
        integration_id=request.integration_id,
        channel_id=request.channel_id,
        order_id=request.order_id,
        feed_id=request.feed_id,
        reference=request.reference,
        accepted_at=datetime.now(UTC),
        payload=request.payload,
    )


def queue(message: OperationMessage) -> None:
    aws.sqs().send_message(
        QueueUrl=get_settings().operations_queue_url,
        MessageBody=message.model_dump_json(by_alias=True),
    )


def _resend(store: OperationStore, message: OperationMessage) -> AcceptedOperation:
    """A different body for an operation that waits for a person (a merchant's ignoring it
    included) is its correction: it replaces the body and runs again under the same operation
    id. Any other different body conflicts."""
    current = store.get(message.operation_id)
    if current is not None and same_payload(current.payload_hash, message.payload):
        return AcceptedOperation(operation_id=message.operation_id, status=current.status)
    last = current.last_response if current else None
    waiting = (
        current is not None
        and last is not None
        and (
            current.status in (OperationStatus.SKIPPED, OperationStatus.IGNORED)
            or (
                current.status is OperationStatus.FAILED
                and last.retry_class in (RetryClass.NEEDS_ACTION, RetryClass.FINAL)
            )
        )
    )
    if not waiting or last is None or not store.resend(message, last.code):
        raise ConflictingRepeat(message.operation_id)
    queue(message)
    return AcceptedOperation(operation_id=message.operation_id, status=OperationStatus.PENDING)


def check_size(payload: dict[str, Any]) -> None:
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"the body is {size} bytes; at most {MAX_PAYLOAD_BYTES} are accepted")


def accept(request: AcceptRequest) -> AcceptedOperation:
    """Accept `request` exactly once; a repeat (concurrent or later) gets the same answer.

    The operation's record is created with a conditional put on its derived id: exactly one copy
    creates it and queues the message; every other copy finds it and answers as the first did.
    A different body is a correction if the operation waits for a person (it runs again with
    it); otherwise it raises ConflictingRepeat.
    """
    check_size(request.payload)
    return _accept(request)
