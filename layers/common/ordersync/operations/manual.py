"""What a person does to an operation: run it again (with the same body, or a corrected one),
close it as synced by hand, set it aside (ignored) and take it back.

Each reads the operation once (`waiting`), decides from what it read, and writes through
`OperationStore.transition` on condition that nothing changed since (its `updatedAt`) and no
run holds the lease: two people, or a person and a run, racing on one operation get one
winner, and the loser is told it changed meanwhile. A run again goes through the operations
queue like any other, so the lease and the idempotency key sent to the platform still hold.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ordersync.core import aws
from ordersync.core.clock import iso, now
from ordersync.core.compression import pack_json
from ordersync.core.dynamo import Update, from_item
from ordersync.core.models import OperationMessage
from ordersync.operations import intake
from ordersync.operations.models import Operation, OperationStatus, Watch
from ordersync.operations.records import (
    OperationStore,
    deadline_attributes,
    message_from_item,
    operation_from_item,
    operation_key,
    payload_hash,
    queued_deadline,
)

# Statuses in which an operation waits for a person (FAILED only without a retry due).
WAITING = (OperationStatus.FAILED, OperationStatus.SKIPPED, OperationStatus.IGNORED)


class NotWaiting(Exception):
    """The operation is not in a state this step applies to; the message says why."""


@dataclass(frozen=True)
class Seen:
    """An operation as read before a person's step: what the step decides from, and the
    `updatedAt` its write is conditioned on."""

    operation: Operation
    message: OperationMessage
    updated_at: str
    watch: str | None
    lease_until: str | None
    ignored_from: str | None

    @property
    def running(self) -> bool:
        return self.lease_until is not None and self.lease_until > iso(now())

    def why_not_waiting(self) -> str | None:
        """Why no person's step applies now (None: it waits for one)."""
        status = self.operation.status
        if self.running:
            return "a run of this operation is in progress; try again when it has ended"
        if status in (OperationStatus.PENDING, OperationStatus.QUEUED):
            return "the operation is queued to run already"
        if status is OperationStatus.PENDING_VERIFICATION:
            return "the platform accepted the operation; its confirmation is awaited"
        if status is OperationStatus.SYNCED:
            return "the operation is synced"
        if status is OperationStatus.MANUALLY_SYNCED:
            return "the operation was marked as synced by hand"
        if status is OperationStatus.FAILED and self.watch == Watch.RETRY.value:
            return "the operation is retried automatically; its next run is due soon"
        return None


def read(operation_id: str, store: OperationStore | None = None) -> Seen | None:
    """The operation as it is now (a consistent read), or None if there is none."""
    store = store or OperationStore()
    item = (
        aws.dynamodb()
        .get_item(TableName=store.table, Key=operation_key(operation_id), ConsistentRead=True)
        .get("Item")
    )
    if not item:
        return None
    values = from_item(item)
    return Seen(
        operation=operation_from_item(item),
        message=message_from_item(item),
        updated_at=str(values["updatedAt"]),
        watch=values.get("watch"),
        lease_until=values.get("leaseUntil"),
        ignored_from=values.get("ignoredFrom"),
    )


def _unchanged(seen: Seen, update: Update) -> Update:
    return update.when(
        "#updatedAt = :seen AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)",
        seen=seen.updated_at,
        now=iso(now()),
    )


def _write(seen: Seen, status: OperationStatus, where: str, update: Update) -> None:
    done = (
        OperationStore()
        .transition(
            seen.operation.operation_id, where=where, status=status, update=_unchanged(seen, update)
        )
        .done
    )
    if not done:
        raise NotWaiting("the operation changed meanwhile; read it again and retry")


def _require_waiting(seen: Seen) -> None:
    reason = seen.why_not_waiting()
    if reason is not None:
        raise NotWaiting(reason)


def run_again(seen: Seen, *, by: str, payload: dict[str, Any] | None = None) -> OperationMessage:
    """Queue the operation again (with `payload` as its new body, if given) and return the
    message sent. It gets its whole retry schedule again, as a channel's correction does."""
    _require_waiting(seen)
    moment = now()
    message = seen.message.model_copy(
        update={
            "accepted_at": moment,
            "not_before": None,
            **({"payload": payload} if payload is not None else {}),
        }
    )
    update = (
        Update()
        .set("runs", 0)
        .set("lastActionBy", by)
        .set_all(deadline_attributes(queued_deadline(moment)))
        .remove("ignoredFrom")
    )
    if payload is not None:
        update.set("payloadZ", pack_json(payload)).set("payloadHash", payload_hash(payload))
    verb = "resent with a corrected body" if payload is not None else "retried"
    where = f"{verb} by {by}; waiting in the operations queue"
    _write(seen, OperationStatus.PENDING, where, update)
    intake.queue(message)
    return message


def close_by_hand(seen: Seen, *, by: str, at: datetime) -> None:
    """Record that a person keyed the operation into the platform themselves."""
    _require_waiting(seen)
    update = (
        Update()
        .set("syncedBy", by)
        .set("syncedAt", iso(at))
        .set("lastActionBy", by)
        .set_all(deadline_attributes(None))
        .remove("ignoredFrom")
    )
    _write(seen, OperationStatus.MANUALLY_SYNCED, f"marked as synced by hand by {by}", update)


def set_aside(seen: Seen, *, by: str) -> None:
    """Ignore a waiting operation: nothing runs it until someone takes it back or retries it.
    Its status before is kept, so taking it back restores it."""
    _require_waiting(seen)
    if seen.operation.status is OperationStatus.IGNORED:
        return
    update = (
        Update()
        .set("ignoredFrom", seen.operation.status.value)
        .set("lastActionBy", by)
        .set_all(deadline_attributes(None))
    )
    _write(seen, OperationStatus.IGNORED, f"ignored by {by}", update)


def take_back(seen: Seen, *, by: str) -> None:
    """Undo `set_aside`: the operation waits for a person again, in the status it had."""
    if seen.operation.status is not OperationStatus.IGNORED:
        return
    before = OperationStatus(seen.ignored_from or OperationStatus.FAILED.value)
    update = Update().set("lastActionBy", by).remove("ignoredFrom")
    _write(seen, before, f"no longer ignored (by {by}); waiting for a person", update)
