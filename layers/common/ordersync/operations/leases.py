"""The run lease on an operation (one run at a time, whatever SQS or Step Functions delivers
twice) and the attempt counter each run draws its number from.

The workflow's first delivery attempt takes the lease, its holder drawn from the execution's
name: Step Functions runs an asynchronous Express execution at least once, and a twin of an
execution (same name) must find the lease held, not run the operation beside its original.

The lease counts its run's first attempt in the same write (an UpdateItem is billed a write
unit whatever it changes: two writes were two units on every run); a Step Functions retry
within the run counts its own with `next_attempt`."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ordersync.core.clock import iso, now
from ordersync.core.dynamo import Update, from_item
from ordersync.core.settings import get_settings
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import FINISHED, OperationStore, operation_key


class Lease(StrEnum):
    TAKEN = "taken"
    HELD = "held"  # another run has it
    FINISHED = "finished"  # nothing left to run: a repeated message must not run it again
    # Skipped, and this is not the copy sent to the dead-letter queue: a stale copy (say, one a
    # timed-out batch gave back after the run that skipped it had finished).
    STALE = "stale"


# What surrounds a run beyond the workflow's own limit (its last task's follow-ups, clock skew).
AROUND_A_RUN_SECONDS = 15


def lease_seconds() -> int:
    """A run lease outlives the run that took it: the workflow's limit and what surrounds it."""
    return get_settings().workflow_timeout_seconds + AROUND_A_RUN_SECONDS


def holder_of(execution_name: str) -> str:
    """The lease's holder for an execution: 128 bits of its name as base64url (22 characters);
    the operation item keeps it as `lastHolder`, and each byte counts toward keeping that item
    under one 1 KB write unit."""
    digest = hashlib.sha256(execution_name.encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


_FINISHED_VALUES = {f"finished{i}": status.value for i, status in enumerate(sorted(FINISHED))}


@dataclass(frozen=True)
class Taken:
    lease: Lease
    run: int = 0  # the run this lease starts (TAKEN only): one more than the operation had
    attempt: int = 0  # TAKEN only: the number of the run's first delivery attempt
    skipped_at: str | None = None  # STALE only: when the operation was skipped
    dead_lettered: bool = False  # STALE only: its dead-letter copy was sent
    # HELD only: by this very holder, so this is a twin of the execution that holds it (Step
    # Functions ran it twice); the run's place in flight is the original's too.
    twin: bool = False


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
    until = moment + timedelta(seconds=seconds)
    finished = ", ".join(f":{name}" for name in _FINISHED_VALUES)
    applied = (
        Update()
        .set("leaseHolder", holder)
        .set("leaseUntil", iso(until))
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
    return Taken(Lease.HELD, twin=old.get("leaseHolder") == holder)


def _held(old: dict[str, Any], moment: datetime) -> bool:
    return bool(old.get("leaseUntil")) and str(old["leaseUntil"]) >= iso(moment)


def resume(operation_id: str, holder: str, store: OperationStore | None = None) -> Taken | None:
    """A Step Functions retry of a delivery whose execution took the lease: count its attempt
    and carry on the same run. None if the execution holds no lease (its first try failed
    before taking one)."""
    applied = (
        Update()
        .add("attempts", 1)
        .when("#leaseHolder = :holder", holder=holder)
        .apply(
            (store or OperationStore()).table,
            operation_key(operation_id),
            ReturnValues="ALL_NEW",
        )
    )
    if not applied.done:
        return None
    counted = from_item(applied.attributes)
    return Taken(Lease.TAKEN, int(counted.get("runs", 1)), int(counted["attempts"]))


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
