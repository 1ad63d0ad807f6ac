"""The sparse by-watch index: what the sweeper waits for on each operation, and the claim that
lets one sweep act on an overdue deadline exactly once."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.dynamo import Update, from_item, to_item
from ordersync.core.models import OperationMessage
from ordersync.operations.models import Deadline, Operation, OperationStatus, Watch
from ordersync.operations.records import (
    OperationStore,
    deadline_attributes,
    message_from_item,
    operation_from_item,
)


@dataclass(frozen=True)
class Claimed:
    """An overdue operation's item as it was when claimed."""

    item: dict[str, Any]

    @cached_property
    def operation(self) -> Operation:
        return operation_from_item(self.item)

    def message(self) -> OperationMessage:
        """The queue message, rebuilt to send the operation again."""
        return message_from_item(self.item)


def overdue(
    watch: Watch, at: datetime, limit: int, store: OperationStore | None = None
) -> list[tuple[str, Deadline]]:
    """Operations whose `watch` deadline passed by `at`, oldest first."""
    found: list[tuple[str, Deadline]] = []
    query: dict[str, Any] = {
        "TableName": (store or OperationStore()).table,
        "IndexName": "by-watch",
        "KeyConditionExpression": "watch = :watch AND watchUntil <= :at",
        "ExpressionAttributeValues": to_item({":watch": watch.value, ":at": iso(at)}),
    }
    while len(found) < limit:
        page = aws.dynamodb().query(**query, Limit=limit - len(found))
        for item in page.get("Items", []):
            values = from_item(item)
            found.append((values["operationId"], Deadline(watch=watch, until=values["watchUntil"])))
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found


def claim_overdue(
    operation_id: str,
    seen: Deadline,
    *,
    status: OperationStatus | None,
    where: str,
    deadline: Deadline | None,
    store: OperationStore | None = None,
) -> Claimed | None:
    """Act on an overdue deadline once: only if no run or sweep changed it since it was seen.
    Returns the operation as it was, or None if someone else got there first."""
    update = Update().when(
        "#watch = :watched AND #watchUntil = :seen", watched=seen.watch.value, seen=iso(seen.until)
    )
    if deadline is None:
        update.set_all(deadline_attributes(None))
    else:
        update.set("watchUntil", iso(deadline.until))
    applied = (store or OperationStore()).transition(
        operation_id, where=where, status=status, update=update, ReturnValues="ALL_OLD"
    )
    return Claimed(applied.attributes) if applied.done else None


def mark_queued(operation_id: str, *, where: str, store: OperationStore | None = None) -> bool:
    """A pending operation the sweeper raised its Queued alert for reads `queued`; one a run
    took in the meantime keeps the status the run gave it."""
    update = Update().when("#status = :pending", pending=OperationStatus.PENDING.value)
    applied = (store or OperationStore()).transition(
        operation_id, where=where, status=OperationStatus.QUEUED, update=update
    )
    return applied.done
