"""The platform's confirmation of an operation it accepted for later (HTTP 202).

The platform posts `{"status": "confirmed" | "rejected", ...}` to
`/v1/callbacks/{operationId}`, signed like ordersync's own callbacks (`core.signing`: method,
path, timestamp and body) with the integration's verification secret. A confirmation moves the
operation from `pending_verification` to `synced`; a rejection opens a needs-action alert. A
repeat of the same confirmation, signed again, is answered with the operation as it is; a copy
of a signature already used is refused. Until a request is verified, an unknown operation and a
known one are refused alike (401), so the route tells no one which operation ids exist.
"""

from typing import Any, Literal

from pydantic import Field, ValidationError

from ordersync.alerts import policy as alerts
from ordersync.catalog.classifier import SUCCESS_CODES
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.config.repository import config_store
from ordersync.config.secrets import secret_value
from ordersync.core import metrics
from ordersync.core.clock import now
from ordersync.core.models import Outcome, Record
from ordersync.core.signing import is_fresh, malformed, verify
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import Operation, OperationStatus
from ordersync.operations.records import OperationStore
from ordersync.operations.replays import UsedSignatures
from ordersync.orders import lifecycle
from ordersync.orders.repository import OrderStore

UNVERIFIED = "missing, stale or wrong X-Ordersync-Signature / X-Ordersync-Timestamp"
REPLAYED = "this X-Ordersync-Signature was already used; sign every request, retries included, anew"


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


def signed_path(operation_id: str) -> str:
    """The path a confirmation is signed for: the contract's, without a stage or domain prefix."""
    return f"/v1/callbacks/{operation_id}"


def confirm(
    operation_id: str, body: bytes, timestamp: str | None, signature: str | None
) -> Operation:
    if not (timestamp and signature):
        raise VerificationRefused(401, UNVERIFIED)
    problem = malformed(timestamp, signature)
    if problem is not None:
        raise VerificationRefused(400, problem)
    if not is_fresh(timestamp):
        raise VerificationRefused(401, UNVERIFIED)
    operations = OperationStore()
    found = operations.get(operation_id)
    integration = (
        config_store().integration(found.merchant_id, found.integration_id) if found else None
    )
    secret = secret_value(integration.verification_secret_arn) if integration else ""
    # An unknown operation costs the same HMAC as a known one and gets the same answer.
    verified = verify(
        secret or _UNKNOWN, "POST", signed_path(operation_id), timestamp, body, signature
    )
    if found is None or integration is None or not secret or not verified:
        raise VerificationRefused(401, UNVERIFIED)
    if not UsedSignatures().claim(signature, timestamp):
        raise VerificationRefused(401, REPLAYED)
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
    _record(found, made, body, integration.integration_id, where)
    _settle_order(operations, operation_id, confirmed)
    return operations.get(operation_id) or found


def _settle_order(operations: OperationStore, operation_id: str, confirmed: bool) -> None:
    """The order's state took the operation as done when the platform accepted it for later:
    a rejection puts back what it changed, a confirmation keeps it."""
    message = operations.message(operation_id)
    if message is None:
        return
    how = lifecycle.confirmed if confirmed else lifecycle.revert
    OrderStore().change(message, lambda state: how(message, state))


# What an unknown operation's request is checked against (then refused whatever the result).
_UNKNOWN = "no operation, no secret"


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
