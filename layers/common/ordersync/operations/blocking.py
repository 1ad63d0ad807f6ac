"""Follow-ups that wait for their order. An invoice, shipment, refund or cancel of an order the
platform does not have yet is recorded as blocked under the order's key (the operations table's
sparse by-blocker index) and acknowledged, spending none of its retries; whatever settles the
order then finds its waiting operations with one keyed Query (never a Scan): its creation
syncing (or being marked synced by hand) sends them to the queue again, the order being
ignored closes them (ignored too) and taking it back reopens them."""

from typing import Any

from aws_lambda_powertools import Logger

from ordersync.alerts import policy as alerts
from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.dynamo import Update, from_item, to_item
from ordersync.core.models import OperationIdentity
from ordersync.core.settings import get_settings
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import (
    OperationStore,
    blocker_key,
    deadline_attributes,
    message_from_item,
    queued_deadline,
)

logger = Logger(child=True)

INDEX = "by-blocker"


def waiting(order: OperationIdentity, store: OperationStore | None = None) -> list[str]:
    """The ids of the operations blocked by `order`'s order, in the order they were accepted."""
    query: dict[str, Any] = {
        "TableName": (store or OperationStore()).table,
        "IndexName": INDEX,
        "KeyConditionExpression": "blockedBy = :order",
        "ExpressionAttributeValues": to_item({":order": blocker_key(order)}),
    }
    found: list[str] = []
    while True:
        page = aws.dynamodb().query(**query)
        found += [from_item(item)["operationId"] for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return found
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def release(order: OperationIdentity, store: OperationStore | None = None) -> int:
    """The order is on the platform now: send each operation it blocked (or that waited for it
    until the order was ignored) to the queue again, as pending, watched as a queued one is, so
    the sweeper sends it again should this send fail. How many were released; each only once,
    however many callers race to release."""
    store = store or OperationStore()
    released = 0
    for operation_id in waiting(order, store):
        update = (
            Update()
            .remove("blockedBy")
            .set_all(deadline_attributes(queued_deadline(now())))
            .when(
                "#status IN (:blocked, :ignored) AND attribute_exists(blockedBy)",
                blocked=OperationStatus.BLOCKED.value,
                ignored=OperationStatus.IGNORED.value,
            )
        )
        applied = store.transition(
            operation_id,
            where=f"its order {order.order_id} was created: waiting in the operations queue",
            status=OperationStatus.PENDING,
            update=update,
            ReturnValues="ALL_NEW",
        )
        if not applied.done:
            continue  # released already, or changed by a person meanwhile
        message = message_from_item(applied.attributes)
        alerts.note_waiting(message, waiting=False)
        aws.sqs().send_message(
            QueueUrl=get_settings().operations_queue_url,
            MessageBody=message.model_dump_json(by_alias=True),
        )
        released += 1
    if released:
        logger.info("blocked operations released", extra={"released": released})
    return released


def close(order: OperationIdentity, why: str, store: OperationStore | None = None) -> int:
    """The order is set aside (a person ignored it): its blocked operations end ignored too,
    saying why, instead of waiting for ever. They stay under the order's key, so taking the
    order back (`reopen`) or its creation syncing after all (`release`) finds them again."""
    return _move(order, OperationStatus.BLOCKED, OperationStatus.IGNORED, f"not sent: {why}", store)


def reopen(order: OperationIdentity, store: OperationStore | None = None) -> int:
    """The order is taken back from being ignored: what `close` set aside waits for it again."""
    where = f"blocked by order {order.order_id}: runs by itself once the order is created"
    return _move(order, OperationStatus.IGNORED, OperationStatus.BLOCKED, where, store)


def _move(
    order: OperationIdentity,
    old: OperationStatus,
    new: OperationStatus,
    where: str,
    store: OperationStore | None,
) -> int:
    store = store or OperationStore()
    moved = 0
    for operation_id in waiting(order, store):
        applied = store.transition(
            operation_id,
            where=where,
            status=new,
            update=Update().when("#status = :old AND attribute_exists(blockedBy)", old=old.value),
            ReturnValues="ALL_NEW",
        )
        if applied.done:
            message = message_from_item(applied.attributes)
            alerts.note_waiting(message, waiting=new is OperationStatus.BLOCKED)
            moved += 1
    return moved


def note_order_skipped(order: OperationIdentity, store: OperationStore | None = None) -> int:
    """The order's creation was skipped to the dead-letter queue: its blocked operations keep
    waiting (a redrive of the creation releases them), and say where their order is."""
    store = store or OperationStore()
    noted = 0
    for operation_id in waiting(order, store):
        noted += store.transition(
            operation_id,
            where=(
                f"blocked by order {order.order_id}, whose creation is in the dead-letter queue:"
                " redrive or resend it, and this runs once the order is created"
            ),
            update=Update().when("#status = :blocked", blocked=OperationStatus.BLOCKED.value),
        ).done
    return noted
