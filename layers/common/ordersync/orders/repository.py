"""The orders table: one versioned item per order, so two operations on one order cannot
overwrite each other's effect."""

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.dynamo import is_condition_failure
from ordersync.core.models import OperationMessage
from ordersync.core.settings import get_settings
from ordersync.orders.lifecycle import OrderState

STALE_RETRIES = 5


class StaleOrderState(Exception):
    """The order changed between reading and writing its state; the operation runs again."""


class OrderStore:
    """Each order's state as ordersync has seen it on the platform; versioned."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().orders_table

    @staticmethod
    def _key(
        merchant_id: str, integration_id: str, channel_id: str, order_id: str
    ) -> dict[str, Any]:
        # An order belongs to (merchant, channel, order id): another channel's same id is
        # another order.
        return {"pk": {"S": f"{merchant_id}#{integration_id}#{channel_id}#{order_id}"}}

    def get(
        self, merchant_id: str, integration_id: str, channel_id: str, order_id: str
    ) -> OrderState | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self._table,
                Key=self._key(merchant_id, integration_id, channel_id, order_id),
                ConsistentRead=True,
            )
            .get("Item")
        )
        return OrderState.model_validate_json(item["doc"]["S"]) if item else None

    def put(self, state: OrderState) -> OrderState:
        """Store `state`; raises StaleOrderState if another operation changed the order first."""
        stored = state.model_copy(update={"version": state.version + 1, "updated_at": now()})
        key = self._key(state.merchant_id, state.integration_id, state.channel_id, state.order_id)
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item={
                    **key,
                    "doc": {"S": stored.model_dump_json(by_alias=True)},
                    "version": {"N": str(stored.version)},
                },
                ConditionExpression="attribute_not_exists(pk) OR version = :seen",
                ExpressionAttributeValues={":seen": {"N": str(state.version)}},
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise StaleOrderState(state.order_id) from error
            raise
        return stored

    def delete(self, state: OrderState) -> None:
        """Forget the order; raises StaleOrderState if another operation changed it first."""
        try:
            aws.dynamodb().delete_item(
                TableName=self._table,
                Key=self._key(
                    state.merchant_id, state.integration_id, state.channel_id, state.order_id
                ),
                ConditionExpression="version = :seen",
                ExpressionAttributeValues={":seen": {"N": str(state.version)}},
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise StaleOrderState(state.order_id) from error
            raise

    def change(
        self, message: OperationMessage, how: Callable[[OrderState], OrderState | None]
    ) -> None:
        """Read the order, change it with `how` (None: forget it), write it back; read again
        and retry when another operation changed it meanwhile."""
        for _ in range(STALE_RETRIES):
            state = self.get(
                message.merchant_id, message.integration_id, message.channel_id, message.order_id
            )
            if state is None:
                return
            changed = how(state)
            try:
                if changed is None:
                    self.delete(state)
                elif changed != state:
                    self.put(changed)
                return
            except StaleOrderState:
                continue
        raise StaleOrderState(message.order_id)
