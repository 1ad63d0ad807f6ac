"""An accepted operation as ordersync records it, and what its workflow carries."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ordersync.core.models import Level, OperationIdentity, OperationMessage, Outcome, Record


class OperationStatus(StrEnum):
    QUEUED = "queued"
    PENDING = "pending"
    PENDING_VERIFICATION = "pending_verification"
    SYNCED = "synced"
    FAILED = "failed"
    BLOCKED = "blocked"  # waits for its order's creation (operations.blocking); no run counted
    SKIPPED = "skipped"
    IGNORED = "ignored"
    MANUALLY_SYNCED = "manually_synced"


class Watch(StrEnum):
    """What the sweeper waits for on an operation, until its deadline passes."""

    QUEUED = "queued"  # accepted; its first run is due
    VERIFICATION = "verification"  # the platform accepted it; the confirmation is due
    RETRY = "retry"  # failed transiently; its next run is due


class Deadline(Record):
    watch: Watch
    until: datetime


class AcceptedOperation(Record):
    operation_id: str
    status: OperationStatus


class Operation(OperationIdentity):
    """Where one accepted operation is now; what `GET /v1/operations/{id}` shows."""

    status: OperationStatus
    attempts: int = 0
    payload_hash: str | None = None
    accepted_at: datetime
    updated_at: datetime
    last_response: Outcome | None = None
    where: str


Disposition = Literal["done", "retry", "dead_letter", "blocked"]
# The execution ran nothing: the operation had finished, was skipped, or another run held it.
NotRun = Literal["finished", "stale", "held", "unleased"]


class WorkflowInput(BaseModel):
    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
    )

    message: OperationMessage
    # The execution's name: its run lease's holder is drawn from it (leases.holder_of).
    execution_name: str | None = None
    # Which run of the operation this is (counted with its lease: a duplicate delivery, a
    # postponed copy or a message sent afresh does not count); the delivery task says it.
    run: int = Field(default=1, ge=1)
    delivery: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None


class RecordedOutcome(BaseModel):
    model_config = ConfigDict(defer_build=True, alias_generator=to_camel, populate_by_name=True)

    disposition: Disposition | Literal["not_run"]
    status: OperationStatus | None = None
    code: str
    level: Level = Level.ERROR
    business_message: str = ""
    action: str = ""
    retry_after_seconds: float | None = None
    # When the next run is due (disposition "retry"): the SQS visibility the dispatcher sets.
    retry_in_seconds: int | None = None
    callback: bool = False  # the integration wants to be told (it has a callback URL)
    # When the operation was skipped (disposition "dead_letter"): its dead-letter copy carries
    # it, so a stale copy of the message is told apart from the one a redrive brings back.
    skipped_at: datetime | None = None
    # Why nothing ran (disposition "not_run").
    not_run: NotRun | None = None
