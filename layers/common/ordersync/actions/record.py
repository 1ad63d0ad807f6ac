"""A person's step in the order's history: who, what and when, beside the platform's answers,
so `GET /v1/orders/{orderId}/history` tells the whole story."""

import json
from datetime import datetime
from typing import Any

from ordersync.actions.models import Action, Actor
from ordersync.alerts.models import Alert
from ordersync.catalog.codes import outcome
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore

# Each action's catalog code (type "person action").
CODES = {
    Action.RETRY: "Retry Requested",
    Action.RESEND: "Resent With Changes",
    Action.MARK_SYNCED: "Marked Synced",
    Action.IGNORE: "Alert Ignored",
    Action.UNIGNORE: "Alert Unignored",
}
STEP = "action"


def action_outcome(action: Action, actor: Actor, alert: Alert) -> Any:
    return outcome(
        CODES[action],
        actor=actor.name,
        order_id=alert.identifier,
        operation=alert.operation.value,
    )


def append(
    action: Action,
    actor: Actor,
    alert: Alert,
    *,
    at: datetime,
    attempt: int,
    payload: dict[str, Any] | None = None,
) -> str:
    """Append the step to the alert's entity's history; its reference. A resend keeps the body
    the person sent, as the content source."""
    return HistoryStore().append(
        HistoryRecord(
            operation_id=alert.operation_id,
            operation=alert.operation,
            direction="merchant → ordersync",
            merchant_id=alert.merchant_id,
            integration_id=alert.integration_id,
            channel_id=alert.channel_id,
            identifier=alert.identifier,
            entity_key=alert.entity_key,
            feed_id=alert.feed_id,
            attempt=attempt,
            step=STEP,
            actor=actor.name,
            outcome=action_outcome(action, actor, alert),
            content_source=json.dumps(payload, ensure_ascii=False) if payload is not None else None,
            created_at=at,
        )
    )
