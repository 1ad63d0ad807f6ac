"""One delivery attempt of an operation to the merchant's platform (a delivery Lambda's job)."""

import json
from typing import Any

from aws_lambda_powertools import Logger

from ordersync import aws
from ordersync.classifier import classify
from ordersync.config import ConfigStore
from ordersync.connector import DeliveryError, PlatformConnector, PlatformResponse
from ordersync.errors import TRANSIENT_ERRORS_BY_CODE
from ordersync.mapping import translate
from ordersync.models import HistoryRecord, OperationMessage, OperationType, Outcome, RetryClass
from ordersync.settings import get_settings
from ordersync.store import HistoryStore, now

logger = Logger(child=True)


def _next_attempt(operation_id: str) -> int:
    response = aws.dynamodb().update_item(
        TableName=get_settings().operations_table,
        Key={"operationId": {"S": operation_id}},
        UpdateExpression="ADD attempts :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["attempts"]["N"])


def _already_created(
    connector: PlatformConnector, message: OperationMessage
) -> PlatformResponse | None:
    """After an ambiguous failure, ask the platform whether the earlier attempt took effect."""
    try:
        found = connector.lookup_order(message.order_id)
    except DeliveryError:
        return None
    return found if found.status_code == 200 else None


def deliver(message: OperationMessage, config: ConfigStore | None = None) -> dict[str, Any]:
    """Send `message` once; return the classified outcome, or raise a TransientDeliveryError."""
    config = config or ConfigStore()
    attempt = _next_attempt(message.operation_id)
    facts: dict[str, Any] = {"order_id": message.order_id}
    integration = config.integration(message.merchant_id, message.integration_id)
    translated: dict[str, Any] | None = None
    response: PlatformResponse | None = None
    error: Exception | None = None
    if integration is None:
        outcome = classify(
            message.operation,
            error=LookupError(f"integration {message.integration_id} is not configured"),
            **facts,
        )
    else:
        connector = PlatformConnector(integration)
        translated = translate(message)
        # Any attempt after the first may follow one whose answer was lost.
        if attempt > 1 and message.operation is OperationType.CREATE:
            response = _already_created(connector, message)
        if response is None:
            try:
                response = connector.send(
                    message.operation,
                    translated,
                    idempotency_key=message.operation_id,
                    order_id=message.order_id,
                )
            except DeliveryError as failure:
                error = failure
        outcome = classify(message.operation, response=response, error=error, **facts)

    history_ref = HistoryStore().append(
        HistoryRecord(
            operation_id=message.operation_id,
            operation=message.operation,
            direction=f"{message.channel_id} → {message.integration_id}",
            merchant_id=message.merchant_id,
            integration_id=message.integration_id,
            channel_id=message.channel_id,
            identifier=message.order_id,
            entity_key=message.entity_key,
            feed_id=message.feed_id,
            attempt=attempt,
            outcome=outcome,
            content_source=json.dumps(message.payload, separators=(",", ":")),
            content_translated=json.dumps(translated, separators=(",", ":"))
            if translated
            else None,
            content_destination=response.text if response is not None else None,
            created_at=now(),
        )
    )
    summary = {
        "attempt": attempt,
        "historyRef": history_ref,
        "outcome": outcome.model_dump(by_alias=True, mode="json", exclude_none=True),
    }
    logger.info(
        "delivery attempt",
        extra={"attempt": attempt, "code": outcome.code, "http_code": outcome.http_code},
    )
    if outcome.retry_class is RetryClass.TRANSIENT:
        raise TRANSIENT_ERRORS_BY_CODE[outcome.code](summary)
    return summary


def summary_outcome(summary: dict[str, Any]) -> Outcome:
    return Outcome.model_validate(summary["outcome"])
