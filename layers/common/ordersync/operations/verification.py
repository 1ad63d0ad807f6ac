"""The platform's confirmation of an operation it accepted for later (HTTP 202).

The platform posts `{"status": "confirmed" | "rejected", ...}` to
`/v1/callbacks/{operationId}`, signed like ordersync's own callbacks (HMAC-SHA256 over
"<timestamp>.<body>") with the integration's verification secret. A confirmation moves the
operation from `pending_verification` to `synced`; a rejection opens a needs-action alert. A
repeat of the same confirmation is answered with the operation as it is, not an error.
"""

from typing import Any, Literal

from pydantic import Field, ValidationError

from ordersync.alerts import policy as alerts
from ordersync.catalog.classifier import SUCCESS_CODES
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.config.repository import config_store
from ordersync.core import metrics
from ordersync.core.clock import now
from ordersync.core.models import Outcome, Record
from ordersync.core.signing import verify
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import Operation, OperationStatus
from ordersync.operations.records import OperationStore
from ordersync.orders import lifecycle
from ordersync.orders.repository import OrderStore


class Confirmation(Record):
    status: Literal["confirmed", "rejected"]
    platform_order_id: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)


class InvalidConfirmation(Exception):
    """The signed body is not a confirmation: every problem, as pydantic found them."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the confirmation")
        self.problems = problems


class VerificationRefused(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def confirm(
    operation_id: str, body: bytes, timestamp: str | None, signature: str | None
) -> Operation:
    operations = OperationStore()
    found = operations.get(operation_id)
    if found is None:
        raise VerificationRefused(404, f"no operation {operation_id}")
    integration = config_store().integration(found.merchant_id, found.integration_id)
    if integration is None or not integration.verification_secret:
        raise VerificationRefused(
            403, f"integration {found.integration_id} has no verification secret configured"
        )
    if not (
        timestamp
        and signature
        and verify(integration.verification_secret, timestamp, body, signature)
    ):
        raise VerificationRefused(
            401, "missing, stale or wrong X-Ordersync-Signature / X-Ordersync-Timestamp"
        )
    try:
        confirmation = Confirmation.model_validate_json(body)
    except ValidationError as error:
        raise InvalidConfirmation([dict(e) for e in error.errors(include_url=False)]) from error
    made = _outcome(found, confirmation)
    confirmed = confirmation.status == "confirmed"
    where = (
        "none: the platform confirmed it"
        if confirmed
        else "waiting for a person: correct and resend"
    )
    changed = operations.record(
        operation_id,
        status=OperationStatus.SYNCED if confirmed else OperationStatus.FAILED,
        attempts=found.attempts,
        outcome=made,
        where=where,
        only_from=OperationStatus.PENDING_VERIFICATION,
    )
    if not changed:
        return _repeat(operations, operation_id, made)
    _settle_order(operations, operation_id, confirmed)
    _record(found, made, body, integration.integration_id, where)
    return operations.get(operation_id) or found


def _settle_order(operations: OperationStore, operation_id: str, confirmed: bool) -> None:
    """The order's state took the operation as done when the platform accepted it for later:
    a rejection puts back what it changed, a confirmation keeps it."""
    message = operations.message(operation_id)
    if message is None:
        return
    how = lifecycle.confirmed if confirmed else lifecycle.revert
    OrderStore().change(message, lambda state: how(message, state))


def _outcome(found: Operation, confirmation: Confirmation) -> Outcome:
    facts = {"operation": found.operation.value, "order_id": found.order_id}
    if confirmation.status == "confirmed":
        return catalog_outcome(
            SUCCESS_CODES[found.operation],
            **facts,
            system_identifier=confirmation.platform_order_id,
        )
    return catalog_outcome(
        "Verification Rejected", **facts, detail=confirmation.reason or "no reason given"
    )


def _repeat(operations: OperationStore, operation_id: str, made: Outcome) -> Operation:
    """Not waiting any more: fine if this very answer is what it got, a conflict otherwise."""
    current = operations.get(operation_id)
    if current is not None and current.last_response and current.last_response.code == made.code:
        return current
    status = current.status.value if current else "gone"
    raise VerificationRefused(
        409, f"operation {operation_id} is {status}, not awaiting confirmation"
    )


def _record(found: Operation, made: Outcome, body: bytes, integration_id: str, where: str) -> None:
    reference = HistoryStore().append(
        HistoryRecord(
            **found.names(),
            direction=f"{integration_id} → ordersync confirmation",
            entity_key=found.entity_key,
            attempt=found.attempts,
            step="verification",
            outcome=made,
            content_source=body.decode(errors="replace"),
            created_at=now(),
        )
    )
    alerts.record(found, made, next_step=where, attempts=found.attempts, history_ref=reference)
    metrics.outcome_recorded(found.merchant_id, found.operation, made.code, made.level)
