"""The end of a workflow run: the operation's status, and the entity's alert, from its outcome;
then what follows it (operations.settle)."""

import json
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from ordersync.alerts import policy as alerts
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.catalog.errors import WAITS_FOR_ITS_ORDER
from ordersync.config.models import Integration
from ordersync.config.repository import config_store
from ordersync.core import metrics
from ordersync.core.clock import now
from ordersync.core.models import Level, Outcome
from ordersync.core.settings import get_settings
from ordersync.operations import inflight, leases, settle
from ordersync.operations.backoff import backoff_seconds, retry_until, schedule_for, spent
from ordersync.operations.models import (
    Deadline,
    Disposition,
    OperationStatus,
    RecordedOutcome,
    Watch,
    WorkflowInput,
)
from ordersync.operations.records import OperationStore, blocker_key

logger = Logger(child=True)


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


def _next_step(status: OperationStatus, disposition: Disposition, retrying: str) -> str:
    if status is OperationStatus.SYNCED:
        return "none: the platform has it"
    if status is OperationStatus.PENDING_VERIFICATION:
        return "waiting for the platform's confirmation"
    if disposition == "dead_letter":
        return "retry budget spent: in the dead-letter queue; redrive it or resend it"
    if disposition == "retry":
        return f"retrying automatically ({retrying})"
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


def _run_held(operation_id: str, holder: str) -> int | None:
    """The run this execution holds the lease of (or was the last to record), read strongly; None
    if it holds none. A caught failure carries no run number: the item has it."""
    item = OperationStore().run_holders(operation_id)
    if holder not in (item.get("leaseHolder"), item.get("lastHolder")):
        return None
    return max(1, int(item.get("runs", 1)))


def record_outcome(event: WorkflowInput) -> RecordedOutcome:
    message = event.message
    holder = leases.holder_of(event.execution_name) if event.execution_name else None
    integration = config_store().integration(message.merchant_id, message.integration_id)
    twin = bool(event.delivery and event.delivery.get("twin"))
    if holder is not None and integration is not None and integration.max_in_flight and not twin:
        # The platform's part is over: the place the dispatcher took goes back first (a twin's
        # is its original's, still running).
        inflight.release(message.merchant_id, message.integration_id, holder)
    if event.delivery is not None and "notRun" in event.delivery:
        return settle.not_run(message, event.delivery)
    run = event.run
    if event.delivery is not None:
        run = int(event.delivery.get("run", run))
    elif holder is not None:
        held = _run_held(message.operation_id, holder)
        if held is None:
            return settle.unleased(message, backoff_seconds(1, None, schedule_for(integration)))
        run = held
    recorded = _record(event.model_copy(update={"run": run}), integration, holder)
    if recorded.disposition != "not_run":
        settle.after_run(message, recorded)
    return recorded


def _record(
    event: WorkflowInput, integration: Integration | None, holder: str | None
) -> RecordedOutcome:
    message = event.message
    moment = now()
    schedule = schedule_for(integration)
    if event.delivery is not None:
        # A delivery that returned normally was classified as not worth retrying, or waits for
        # its order's creation (blocked: it runs again when the order is created).
        summary = event.delivery
        waits = summary["outcome"]["code"] == WAITS_FOR_ITS_ORDER
        disposition: Disposition = "blocked" if waits else "done"
    else:
        # A caught failure is transient by construction: a retryable platform error whose
        # in-workflow retries ran out, or our own infrastructure failing.
        summary = _from_failure(event.failure or {}, message.order_id)
        done = spent(schedule, message.operation, message.accepted_at, event.run, moment)
        disposition = "dead_letter" if done else "retry"
    outcome = Outcome.model_validate(summary["outcome"])
    if disposition == "blocked":
        return _record_blocked(event, outcome, int(summary.get("attempt", 0)), holder)
    status = _status_for(outcome, disposition)
    until = retry_until(schedule, message.operation, message.accepted_at)
    retrying = (
        f"run {event.run} done; retried until {until:%Y-%m-%d %H:%M} UTC"
        f" and at least {schedule.at_least_runs} runs"
    )
    next_step = _next_step(status, disposition, retrying)
    attempts = int(summary.get("attempt", 0))
    retry_in = (
        backoff_seconds(event.run, outcome.retry_after_seconds, schedule)
        if disposition == "retry"
        else None
    )

    written = OperationStore().record(
        message.operation_id,
        status=status,
        attempts=attempts,
        outcome=outcome,
        where=next_step,
        deadline=_deadline(status, moment, retry_in),
        restart_runs=disposition == "dead_letter",
        skipped_at=moment if disposition == "dead_letter" else None,
        end_run=True,
        holder=holder,
    )
    if not written:
        return _not_holding()
    alerts.record(
        message,
        outcome,
        next_step=next_step,
        attempts=attempts,
        history_ref=summary.get("historyRef"),
        retries_spent=disposition == "dead_letter",
    )
    logger.info("outcome recorded", extra={"code": outcome.code, "status": status.value})
    metrics.outcome_recorded(message.merchant_id, message.operation, outcome.code, outcome.level)
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
        skipped_at=moment if disposition == "dead_letter" else None,
    )


def _not_holding() -> RecordedOutcome:
    # A twin execution, or a run whose lease another took: the holder records the operation.
    logger.info("this execution does not hold the run; nothing recorded")
    return RecordedOutcome(disposition="not_run", not_run="held", code="Not Run")


def _record_blocked(
    event: WorkflowInput, outcome: Outcome, attempts: int, holder: str | None
) -> RecordedOutcome:
    """The operation waits for its order's creation: recorded under the order's key (the
    by-blocker index) with its runs counted from zero again, so waiting spends none of its
    retries. The order's alert lists it; its latest response stays the order's own."""
    message = event.message
    where = f"blocked by order {message.order_id}: runs by itself once the order is created"
    written = OperationStore().record(
        message.operation_id,
        status=OperationStatus.BLOCKED,
        attempts=attempts,
        outcome=outcome,
        where=where,
        restart_runs=True,
        blocked_by=blocker_key(message),
        end_run=True,
        holder=holder,
    )
    if not written:
        return _not_holding()
    alerts.note_waiting(message, waiting=True)
    logger.info("blocked by its order", extra={"order_id": message.order_id})
    metrics.outcome_recorded(message.merchant_id, message.operation, outcome.code, outcome.level)
    return RecordedOutcome(
        disposition="blocked",
        status=OperationStatus.BLOCKED,
        code=outcome.code,
        level=outcome.level,
        business_message=outcome.business_message,
        action=outcome.action,
    )
