"""The run lease on an operation (one run at a time, whatever SQS delivers twice) and the
attempt counter each run draws its number from."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from ordersync.core.clock import iso, now
from ordersync.core.dynamo import Update, from_item
from ordersync.operations.records import FINISHED, OperationStore, operation_key


class Lease(StrEnum):
    TAKEN = "taken"
    HELD = "held"  # another run has it
    FINISHED = "finished"  # nothing left to run: a repeated message must not run it again


_FINISHED_VALUES = {f"finished{i}": status.value for i, status in enumerate(sorted(FINISHED))}


@dataclass(frozen=True)
class Taken:
    lease: Lease
    run: int = 0  # the run this lease starts (TAKEN only): one more than the operation had


def acquire(
    operation_id: str, holder: str, seconds: float, store: OperationStore | None = None
) -> Taken:
    """Take the operation's run lease and count the run it starts, unless another run holds
    it or nothing is left to do (then nothing is counted)."""
    moment = now()
    finished = ", ".join(f":{name}" for name in _FINISHED_VALUES)
    applied = (
        Update()
        .set("leaseHolder", holder)
        .set("leaseUntil", iso(moment + timedelta(seconds=seconds)))
        .add("runs", 1)
        .when(
            "attribute_exists(operationId)"
            " AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)"
            f" AND NOT (#status IN ({finished}))",
            now=iso(moment),
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
        return Taken(Lease.TAKEN, int(from_item(applied.attributes)["runs"]))
    old = from_item(applied.attributes)
    if not old or old.get("status") in FINISHED:
        return Taken(Lease.FINISHED)
    return Taken(Lease.HELD)


def release(operation_id: str, holder: str, store: OperationStore | None = None) -> None:
    (
        Update()
        .remove("leaseHolder", "leaseUntil")
        .when("#leaseHolder = :holder", holder=holder)
        .apply((store or OperationStore()).table, operation_key(operation_id))
    )


def next_attempt(operation_id: str, store: OperationStore | None = None) -> int:
    """Count one more delivery attempt; its number."""
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
