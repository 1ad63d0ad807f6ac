"""Where an accepted operation is now: its status, its alert, and every response so far."""

from pydantic import Field

from ordersync.alerts.models import Alert
from ordersync.alerts.repository import AlertStore
from ordersync.config.models import Channel
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import Operation
from ordersync.operations.records import OperationStore

HISTORY_SHOWN = 50  # an order with follow-ups and callbacks quickly passes 20


class OperationView(Operation):
    alert: Alert | None = None
    history: list[HistoryRecord] = Field(default_factory=list)


def describe(channel: Channel, operation_id: str) -> OperationView | None:
    """The operation, if it exists and belongs to `channel` (another channel's, of this merchant or
    another, reads as missing)."""
    found = OperationStore().get(operation_id)
    if found is None or (found.merchant_id, found.channel_id) != (
        channel.merchant_id,
        channel.channel_id,
    ):
        return None
    key = found.entity_key
    history = [
        record
        for record in HistoryStore().for_entity(found.merchant_id, key, limit=HISTORY_SHOWN)
        if record.operation_id == operation_id
    ]
    return OperationView(
        **found.model_dump(),
        alert=AlertStore().get(found.merchant_id, key),
        history=history,
    )
