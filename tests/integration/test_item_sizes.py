"""What a typical order's records weigh: DynamoDB bills a write per started KB of the item (and
each index entry by what it projects), so one byte over 1 KB doubles a write's cost. Sizes by
the published rules (`bench.dynamo_units`, the benchmark's own arithmetic)."""

import pytest

from bench.dynamo_meter import table_shapes
from bench.dynamo_units import WRITE_UNIT_BYTES, index_write_units, item_size
from local.template import LocalTemplate
from ordersync.delivery.service import deliver


@pytest.fixture
def delivered(demo_create):
    """events/requests/create_order.json, accepted and delivered as the workflow does."""
    # As long as the API's ids (a UUID), so the sizes are those of a real record.
    message = demo_create("5b1c2a4e-8d0f-5e7a-9c3b-1f2e3d4c5b6a")
    deliver(message)
    return message


def _history_items(stack, message):
    return stack.dynamodb.query(
        TableName=stack.resources["HistoryTable"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"{message.merchant_id}#{message.entity_key}"}},
    )["Items"]


def test_each_history_record_of_a_typical_order_is_one_write_unit(stack, delivered):
    items = _history_items(stack, delivered)
    assert sorted(item["step"]["S"] for item in items) == ["customer", "order"]
    sizes = [item_size(item) for item in items]
    assert all(size < WRITE_UNIT_BYTES for size in sizes), sizes
    # Each index entry holds the keys and what a list shows, never the contents: one unit each
    # (by-merchant-day only: this order has no feed id).
    shape = table_shapes(LocalTemplate.load().sam)["HistoryTable"]
    assert [index_write_units(shape, None, item) for item in items] == [1, 1]
