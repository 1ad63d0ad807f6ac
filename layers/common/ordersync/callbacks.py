"""Telling the merchant's platform how each operation ended, through its callback URL.

The body is signed: `X-Ordersync-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` with
the integration's callback secret, and `X-Ordersync-Timestamp` so the receiver can refuse
replays. A failure here never changes the operation; it is recorded as Alert Update Failed.
"""

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from ordersync.catalog import outcome as catalog_outcome
from ordersync.classifier import classify
from ordersync.config import ConfigStore, Integration, config_store
from ordersync.errors import CallbackUnavailableError
from ordersync.models import (
    Alert,
    AlertStatus,
    HistoryRecord,
    Level,
    OperationMessage,
    Outcome,
    entity_key,
)
from ordersync.outcomes import RecordedOutcome
from ordersync.store import AlertStore, HistoryStore, now

SIGNATURE_HEADER = "X-Ordersync-Signature"
TIMESTAMP_HEADER = "X-Ordersync-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance_seconds: int = 300
) -> bool:
    fresh = abs(time.time() - int(timestamp)) <= tolerance_seconds if timestamp.isdigit() else False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def _record(
    message: OperationMessage, outcome: Outcome, response_text: str | None, sent: bytes
) -> None:
    key = entity_key(message.integration_id, "callback", message.order_id)
    HistoryStore().append(
        HistoryRecord(
            **message.names(),
            direction=f"ordersync → {message.integration_id} callback",
            entity_key=message.entity_key,
            attempt=0,
            step="callback",
            outcome=outcome,
            content_translated=sent.decode(),
            content_destination=response_text,
            created_at=now(),
        )
    )
    alerts = AlertStore()
    failed = outcome.level is Level.ERROR
    if not failed and alerts.get(message.merchant_id, key) is None:
        return  # callbacks get an alert of their own only once one has failed
    moment = now()
    alerts.upsert(
        Alert(
            entity_key=key,
            **message.names(),
            status=AlertStatus.OPEN if failed else AlertStatus.RESOLVED,
            outcome=outcome,
            attempts=1,
            next_step="fix the callback, then retry the operation" if failed else "none",
            created_at=moment,
            updated_at=moment,
            resolved_at=None if failed else moment,
        )
    )


def post_callback(
    message: OperationMessage, recorded: RecordedOutcome, config: ConfigStore | None = None
) -> Outcome | None:
    integration = (config or config_store()).integration(
        message.merchant_id, message.integration_id
    )
    if integration is None or integration.callback_url is None:
        return None
    body = json.dumps(
        {
            "operationId": message.operation_id,
            "operation": message.operation.value,
            "orderId": message.order_id,
            "reference": message.reference,
            "status": recorded.status.value,
            "code": recorded.code,
            "level": recorded.level.value,
            "message": recorded.business_message,
            "action": recorded.action,
            "sentAt": now().isoformat(),
        },
        separators=(",", ":"),
    ).encode()
    facts: dict[str, Any] = {
        "order_id": message.order_id,
        "code_reported": recorded.code,
        "operation": message.operation.value,
    }
    answer, outcome = _post(integration, body, facts)
    success = "Integration Status Updated" if recorded.level is Level.SUCCESS else "Alert Updated"
    if outcome is None and answer is not None:
        if 200 <= answer.status_code < 300:
            outcome = catalog_outcome(
                success,
                http_code=answer.status_code,
                system_call=f"POST {integration.callback_url}",
                **facts,
            )
        else:
            detail = classify(
                message.operation, response=_as_platform(answer, integration), **facts
            ).business_message
            outcome = catalog_outcome(
                "Alert Update Failed", http_code=answer.status_code, detail=detail, **facts
            )
    assert outcome is not None
    _record(message, outcome, answer.text if answer is not None else None, body)
    if answer is None or answer.status_code >= 500 or answer.status_code == 429:
        raise CallbackUnavailableError({"outcome": outcome.model_dump(by_alias=True, mode="json")})
    return outcome


def _post(
    integration: Integration, body: bytes, facts: dict[str, Any]
) -> tuple[httpx.Response | None, Outcome | None]:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(integration.callback_secret, timestamp, body),
    }
    try:
        return httpx.post(
            str(integration.callback_url),
            content=body,
            headers=headers,
            timeout=integration.timeout_seconds,
        ), None
    except httpx.HTTPError as error:
        return None, catalog_outcome(
            "Alert Update Failed", detail=f"{type(error).__name__}: {error}", **facts
        )


def _as_platform(answer: httpx.Response, integration: Integration) -> Any:
    from ordersync.connector import PlatformResponse

    return PlatformResponse(
        status_code=answer.status_code, text=answer.text, call=f"POST {integration.callback_url}"
    )
