"""One delivery attempt as the history log sees it: every step's response recorded, in order."""

import json
from dataclasses import dataclass, field
from typing import Any

from ordersync.catalog.classifier import classify
from ordersync.catalog.platform import DeliveryError, PlatformResponse
from ordersync.core.clock import now
from ordersync.core.models import OperationMessage, Outcome
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore


@dataclass
class Attempt:
    """What one attempt learned, step by step, for the history log."""

    message: OperationMessage
    number: int
    facts: dict[str, Any]
    translated: dict[str, Any] | None = None
    history_ref: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def record(
        self, outcome: Outcome, response: PlatformResponse | None = None, step: str = "order"
    ) -> Outcome:
        message = self.message
        self.history_ref = HistoryStore().append(
            HistoryRecord(
                **message.names(),
                direction=f"{message.channel_id} → {message.integration_id}",
                entity_key=message.entity_key,
                feed_id=message.feed_id,
                attempt=self.number,
                step=step,
                outcome=outcome,
                content_source=json.dumps(message.payload, separators=(",", ":")),
                content_translated=json.dumps(self.translated, separators=(",", ":"))
                if self.translated
                else None,
                content_destination=response.text if response is not None else None,
                created_at=now(),
            )
        )
        self.outcomes.append(outcome)
        return outcome


def call(attempt: Attempt, request: Any) -> tuple[PlatformResponse | None, Outcome | None]:
    """Make one platform call; a transport failure comes back as its classified outcome."""
    try:
        return request(), None
    except DeliveryError as failure:
        return None, classify(attempt.message.operation, error=failure, **attempt.facts)
