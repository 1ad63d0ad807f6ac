"""The end of a workflow run: the operation's status, and the entity's alert, from its outcome."""

import json
from datetime import datetime, timedelta
from typing import Any, Literal

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ordersync import metrics
from ordersync.backoff import backoff_seconds
from ordersync.catalog import outcome as catalog_outcome
from ordersync.config import config_store
from ordersync.models import (
    Alert,
    AlertStatus,
    Deadline,
    Level,
    OperationMessage,
    OperationStatus,
    Outcome,
    Watch,
)
from ordersync.settings import get_settings
from ordersync.store import AlertStore, OperationStore, now

logger = Logger(child=True)

Disposition = Literal["done", "retry", "dead_letter"]


class WorkflowInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    message: OperationMessage
    receive_count: int = Field(default=1, ge=1)
    retry_budget: int = Field(default=10, ge=1)
    delivery: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None


class RecordedOutcome(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    disposition: Disposition
    status: OperationStatus
    code: str
    level: Level = Level.ERROR
    business_message: str = ""
    action: str = ""
    retry_after_seconds: float | None = None
    # When the next run is due (disposition "retry"): the SQS visibility the dispatcher sets.
    retry_in_seconds: int | None = None
    callback: bool = False  # the integration wants to be told (it has a callback URL)


def _from_failure(failure: dict[str, Any], order_id: str) -> dict[str, Any]:
    """The delivery summary a caught error carries, or an Unknown Error one if it carries none."""
    try:
        cause = json.loads(failure.get("Cause") or "{}")
        summary = json.loads(cause.get("errorMessage", ""))
        if isinstance(summary, dict) and "outcome" in summary:
            return summary
    except (TypeError, ValueError):
        pass
    # Not one of our classified errors: our own code or the platform of Lambda failed.
    error = failure.get("Error", "unknown")
    made = catalog_outcome(
        "Unknown Error", order_id=order_id, detail=f"{error}: {failure.get('Cause', '')[:300]}"
    )
    return {"outcome": made.model_dump(by_alias=True, mode="json", exclude_none=True)}


def _status_for(outcome: Outcome, disposition: Disposition) -> OperationStatus:
    if outcome.level in (Level.SUCCESS, Level.WARNING):
        return OperationStatus.SYNCED
    if outcome.level is Level.PENDING:
        return OperationStatus.PENDING_VERIFICATION
    return OperationStatus.SKIPPED if disposition == "dead_letter" else OperationStatus.FAILED


def _next_step(
    status: OperationStatus, disposition: Disposition, receive_count: int, budget: int
) -> str:
    if status is OperationStatus.SYNCED:
        return "none: the platform has it"
    if status is OperationStatus.PENDING_VERIFICATION:
        return "waiting for the platform's confirmation"
    if disposition == "dead_letter":
        return "retry budget spent: in the dead-letter queue; redrive it or resend it"
    if disposition == "retry":
        return f"retrying automatically (run {receive_count} of {budget} done)"
    return "waiting for a person: edit and resend, or retry"


def _deadline(status: OperationStatus, moment: datetime, retry_in: int | None) -> Deadline | None:
    """What the sweeper should expect next of this operation, and by when."""
    settings = get_settings()
    if status is OperationStatus.PENDING_VERIFICATION:
        until = moment + timedelta(minutes=settings.verification_timeout_minutes)
        return Deadline(watch=Watch.VERIFICATION, until=until)
    if retry_in is not None:
        # Its message is due back in `retry_in`; a run takes at most the visibility timeout more.
        until = moment + timedelta(seconds=retry_in + settings.stuck_grace_seconds)
        return Deadline(watch=Watch.RETRY, until=until)
    return None


def record_outcome(event: WorkflowInput) -> RecordedOutcome:
    message = event.message
    if event.delivery is not None:
        # A delivery that returned normally was classified as not worth retrying.
        summary = event.delivery
        disposition: Disposition = "done"
    else:
        # A caught failure is transient by construction: a retryable platform error whose
        # in-workflow retries ran out, or our own infrastructure failing.
        summary = _from_failure(event.failure or {}, message.order_id)
        disposition = "retry" if event.receive_count < event.retry_budget else "dead_letter"
    outcome = Outcome.model_validate(summary["outcome"])
    status = _status_for(outcome, disposition)
    next_step = _next_step(status, disposition, event.receive_count, event.retry_budget)
    attempts = int(summary.get("attempt", 0))
    moment = now()
    retry_in = (
        backoff_seconds(event.receive_count, outcome.retry_after_seconds)
        if disposition == "retry"
        else None
    )

    OperationStore().record(
        message.operation_id,
        status=status,
        attempts=attempts,
        outcome=outcome,
        where=next_step,
        deadline=_deadline(status, moment, retry_in),
    )
    resolved = outcome.level in (Level.SUCCESS, Level.PENDING)
    AlertStore().upsert(
        Alert(
            entity_key=message.entity_key,
            **message.names(),
            status=AlertStatus.RESOLVED if resolved else AlertStatus.OPEN,
            outcome=outcome,
            attempts=attempts,
            history_ref=summary.get("historyRef"),
            next_step=next_step,
            created_at=moment,
            updated_at=moment,
            resolved_at=moment if resolved else None,
        )
    )
    logger.info("outcome recorded", extra={"code": outcome.code, "status": status.value})
    metrics.outcome_recorded(message.merchant_id, message.operation, outcome.code, outcome.level)
    integration = config_store().integration(message.merchant_id, message.integration_id)
    return RecordedOutcome(
        disposition=disposition,
        status=status,
        code=outcome.code,
        level=outcome.level,
        business_message=outcome.business_message,
        action=outcome.action,
        retry_after_seconds=outcome.retry_after_seconds,
        retry_in_seconds=retry_in,
        callback=bool(integration and integration.callback_url),
    )
