"""The run lease on an operation (one run at a time, whatever SQS delivers twice) and the
attempt counter each run draws its number from.

The lease counts its run's first attempt in the same write (an UpdateItem is billed a write
unit whatever it changes: two writes were two units on every run); a Step Functions retry
within the run counts its own with `next_attempt`."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ordersync.core.clock import iso, now
from ordersync.core.dynamo import Update, from_item
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import FINISHED, OperationStore, operation_key


class Lease(StrEnum):
    TAKEN = "taken"
    HELD = "held"  # another run has it
    FINISHED = "finished"  # nothing left to run: a repeated message must not run it again
    # Skipped, and this is not the copy sent to the dead-letter queue: a stale copy (say, one a
    # timed-out batch gave back after the run that skipped it had finished).
    STALE = "stale"


_FINISHED_VALUES = {f"finished{i}": status.value for i, status in enumerate(sorted(FINISHED))}


@dataclass(frozen=True)
class Taken:
    lease: Lease
    run: int = 0  # the run this lease starts (TAKEN only): one more than the operation had
    attempt: int = 0  # TAKEN only: the number of the run's first delivery attempt
    skipped_at: str | None = None  # STALE only: when the operation was skipped
    dead_lettered: bool = False  # STALE only: its dead-letter copy was sent


def acquire(
    operation_id: str,
    holder: str,
    seconds: float,
    store: OperationStore | None = None,
    dead_letter_of: datetime | None = None,
) -> Taken:
    """Take the operation's run lease and count the run it starts and that run's first
    attempt, unless another run holds it or nothing is left to do (then nothing is counted).
    A skipped operation runs only from the copy its skip sent to the dead-letter queue
    (`dead_letter_of`, brought back by a redrive); one skipped before skips were dated runs
    from any copy."""
    moment = now()
    finished = ", ".join(f":{name}" for name in _FINISHED_VALUES)
    applied = (
        Update()
        .set("leaseHolder", holder)
        .set("leaseUntil", iso(moment + timedelta(seconds=seconds)))
        .add("runs", 1)
        .add("attempts", 1)
        .when(
            "attribute_exists(operationId)"
            " AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)"
            f" AND NOT (#status IN ({finished}))"
            " AND NOT (#status = :skipped AND attribute_exists(skippedAt) AND skippedAt <> :copy)",
            now=iso(moment),
            skipped=OperationStatus.SKIPPED.value,
            copy=iso(dead_letter_of) if dead_letter_of else "",
            **_FINISHED_VALUES,
        )
        .apply(
            (store or OperationStore()).table,
            operation_key(operation_id),
            ReturnValues="UPDATED_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    )
    if applied.done:
        counted = from_item(applied.attributes)
        return Taken(Lease.TAKEN, int(counted["runs"]), int(counted["attempts"]))
    old = from_item(applied.attributes)
    if not old or old.get("status") in FINISHED:
        return Taken(Lease.FINISHED)
    skipped_at = old.get("skippedAt")
    if old.get("status") == OperationStatus.SKIPPED and skipped_at and not _held(old, moment):
        return Taken(
            Lease.STALE, skipped_at=skipped_at, dead_lettered=old.get("dlqSent") == skipped_at
        )
    return Taken(Lease.HELD)


def _held(old: dict[str, Any], moment: datetime) -> bool:
    return bool(old.get("leaseUntil")) and str(old["leaseUntil"]) >= iso(moment)


def release(
    operation_id: str, holder: str, store: OperationStore | None = None, *, started: bool = True
) -> None:
    """Let go of the lease; `started=False`: the run never started (the workflow could not be
    started), so the run and the attempt it counted are given back."""
    update = Update().remove("leaseHolder", "leaseUntil")
    if not started:
        update.add("runs", -1).add("attempts", -1)
    update.when("#leaseHolder = :holder", holder=holder)
    update.apply((store or OperationStore()).table, operation_key(operation_id))


def next_attempt(operation_id: str, store: OperationStore | None = None) -> int:
    """Count one more delivery attempt (a retry within a run, or a delivery outside a run);
    its number."""
    applied = (
        Update()
        .add("attempts", 1)
        .apply(
            (store or OperationStore()).table,
            operation_key(operation_id),
            ReturnValues="UPDATED_NEW",
        )
    )
    return int(from_item(applied.attributes)["attempts"])
