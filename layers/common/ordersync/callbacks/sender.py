"""Telling the merchant's platform how each operation ended, through its callback URL, signed
(`ordersync.core.signing`). A failure here never changes the operation; it is recorded as Alert
Update Failed on the callback's own entity.
"""

import functools
import json
import time
from typing import Any

import httpx

from ordersync.alerts import policy as alerts
from ordersync.catalog.classifier import classify
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.catalog.errors import CallbackUnavailableError
from ordersync.catalog.platform import PlatformResponse
from ordersync.config.models import Integration
from ordersync.config.repository import ConfigStore, config_store
from ordersync.config.secrets import secret_value
from ordersync.core.clock import now
from ordersync.core.models import Level, OperationMessage, Outcome, entity_key
from ordersync.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import RecordedOutcome


def _record(
    message: OperationMessage, outcome: Outcome, response_text: str | None, sent: bytes
) -> None:
    key = entity_key(
        message.integration_id, "callback", message.order_id, channel_id=message.channel_id
    )
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
    failed = outcome.level is Level.ERROR
    alerts.record(
        message,
        outcome,
        entity_key=key,
        next_step="fix the callback, then retry the operation" if failed else "none",
        attempts=1,
        only_once_failed=True,
    )


def post_callback(
    message: OperationMessage, recorded: RecordedOutcome, config: ConfigStore | None = None
) -> Outcome | None:
    integration = (config or config_store()).integration(
        message.merchant_id, message.integration_id
    )
    if integration is None or integration.callback_url is None or recorded.status is None:
        return None  # no callback wanted, or the run ran nothing to tell
    body = json.dumps(
        {
            "operationId": message.operation_id,
            "operation": message.operation.value,
            "orderId": message.order_id,
            "externalId": message.external_order_id,
            "channel": message.channel_id,
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


@functools.cache
def _http() -> httpx.Client:
    # One pooled client for the container's callbacks, as the platform connector keeps: a
    # client per callback built a TLS context (the CA bundle read and parsed) on every call.
    return httpx.Client(headers={"User-Agent": "ordersync/1"})


def _post(
    integration: Integration, body: bytes, facts: dict[str, Any]
) -> tuple[httpx.Response | None, Outcome | None]:
    timestamp = str(int(time.time()))
    url = httpx.URL(str(integration.callback_url))
    path = url.raw_path.split(b"?", 1)[0].decode()  # as sent on the request line, no query
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(
            secret_value(integration.callback_secret_arn), "POST", path, timestamp, body
        ),
    }
    try:
        return _http().post(
            url,
            content=body,
            headers=headers,
            timeout=integration.timeout_seconds,
        ), None
    except httpx.HTTPError as error:
        return None, catalog_outcome(
            "Alert Update Failed", detail=f"{type(error).__name__}: {error}", **facts
        )


def _as_platform(answer: httpx.Response, integration: Integration) -> Any:

    return PlatformResponse(
        status_code=answer.status_code, text=answer.text, call=f"POST {integration.callback_url}"
    )
