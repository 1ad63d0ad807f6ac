"""The vocabulary every room shares: what an operation is, and what a response means."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Record(BaseModel):
    """What ordersync itself writes and reads back: camelCase on the wire, extra keys ignored."""

    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
    )


# What a person sends (a setting, a list's filters): camelCase on the wire, an unknown field
# refused, immutable once read.
STRICT_INPUT = ConfigDict(
    defer_build=True,
    alias_generator=to_camel,
    populate_by_name=True,
    extra="forbid",
    frozen=True,
)

# What only some routes answer with: its schema is built by the first request that needs it,
# not by every cold start of the function that serves all its routes.
ROUTE_ONLY = ConfigDict(defer_build=True)


class Setting(BaseModel):
    """A setting a person sends and ordersync keeps as sent (notification contacts, the daily
    report, a user's permissions)."""

    model_config = STRICT_INPUT


class OperationType(StrEnum):
    CREATE = "create"
    CANCEL = "cancel"
    INVOICE = "invoice"
    SHIPMENT = "shipment"
    REFUND = "refund"


class Level(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    PENDING = "pending"


class ResponseType(StrEnum):
    SOURCE_MAPPING = "source mapping"
    DESTINATION_MAPPING = "destination mapping"
    API_REQUEST = "API request"
    PENDING = "pending"
    PERSON_ACTION = "person action"  # not a response: what a merchant's user did (history only)


class RetryClass(StrEnum):
    NONE = "none"  # success: nothing to retry
    TRANSIENT = "transient"  # retried automatically
    NEEDS_ACTION = "needs action"  # held until a person edits or asks
    FINAL = "final"  # retrying cannot help


class OperationIdentity(Record):
    """What names an operation: which one, for whom, from where to where, on which order."""

    operation_id: str
    operation: OperationType
    merchant_id: str
    integration_id: str
    channel_id: str
    order_id: str

    @property
    def entity_key(self) -> str:
        return entity_key(self.integration_id, "order", self.order_id, channel_id=self.channel_id)

    @property
    def external_order_id(self) -> str:
        """The order's id on the platform: the channel's order id in the channel's namespace."""
        return external_order_id(self.channel_id, self.order_id)

    def names(self) -> dict[str, Any]:
        """The fields every history record and alert about this operation repeats."""
        return {
            "operation_id": self.operation_id,
            "operation": self.operation,
            "merchant_id": self.merchant_id,
            "integration_id": self.integration_id,
            "channel_id": self.channel_id,
            "identifier": self.order_id,
        }


class OperationMessage(OperationIdentity):
    """One operation on its way from the API to the platform (the SQS body and workflow input)."""

    feed_id: str | None = None
    # Tells apart several operations of one kind on one order (shipment id, refund id, invoice).
    reference: str | None = None
    accepted_at: datetime
    payload: dict[str, Any]
    # A retry sent afresh (its first message neared the queue's retention) runs no sooner.
    not_before: datetime | None = None
    # Set on the one copy sent to the dead-letter queue: the moment the operation was skipped.
    # Only that copy (brought back by a redrive) runs a skipped operation again.
    dead_letter_of: datetime | None = None


def entity_key(
    integration_id: str, entity_type: str, entity_id: str, *, channel_id: str | None = None
) -> str:
    """The key of an alert's and a history's entity. An order (and what hangs off it, such as
    its callback) belongs to its channel: two channels may use the same order id."""
    if channel_id is None:
        return f"{integration_id}#{entity_type}#{entity_id}"
    return f"{integration_id}#{channel_id}#{entity_type}#{entity_id}"


# Channel ids hold no "." (config.models.Channel), so "<channel>.<order id>" names one order.
EXTERNAL_ID_SEPARATOR = "."


def external_order_id(channel_id: str, order_id: str) -> str:
    """What the platform knows an order by: two channels of a merchant may share an order id,
    and the platform must keep their orders apart."""
    return f"{channel_id}{EXTERNAL_ID_SEPARATOR}{order_id}"


class Outcome(Record):
    """One classified response of the platform (or of ordersync itself on its behalf)."""

    code: str
    level: Level
    type: ResponseType
    retry_class: RetryClass
    business_message: str
    action: str
    http_code: int | None = None
    system_code: str | None = None
    system_call: str | None = None
    system_identifier: str | None = None
    retry_after_seconds: float | None = None
