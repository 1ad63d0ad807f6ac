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
    # Who did it, when a person acted on the order (step "action"): a user's email, or
    # "resolve link of <contact email>". None for what the platform answered.
    actor: str | None = None
    outcome: Outcome
    content_source: str | None = None
    content_translated: str | None = None
    content_destination: str | None = None
    created_at: datetime
