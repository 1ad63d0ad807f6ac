"""An alert: the latest response for one entity of one integration, open until a success."""

from datetime import datetime
from enum import StrEnum

from ordersync.core.models import OperationType, Outcome, Record


class AlertStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Alert(Record):
    """The latest response for one entity of one integration; open until a success closes it."""

    merchant_id: str
    entity_key: str
    integration_id: str
    channel_id: str
    identifier: str
    feed_id: str | None = None
    operation_id: str
    operation: OperationType
    status: AlertStatus
    ignored: bool = False
    # A transient failure whose retry schedule is spent: it now waits for a person too.
    retries_spent: bool = False
    outcome: Outcome
    attempts: int
    history_ref: str | None = None
    next_step: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
