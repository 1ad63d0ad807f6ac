"""A history record: one response, kept append-only."""

from datetime import datetime

from ordersync.core.models import OperationType, Outcome, Record


class HistoryRecord(Record):
    """Every response, kept append-only: what was sent, what came back, what it means."""

    operation_id: str
    operation: OperationType
    direction: str
    merchant_id: str
    integration_id: str
    channel_id: str
    identifier: str
    entity_key: str
    feed_id: str | None = None
    attempt: int
    step: str = "order"  # what this response answered: the order, or its customer, or a callback
    outcome: Outcome
    content_source: str | None = None
    content_translated: str | None = None
    content_destination: str | None = None
    created_at: datetime
