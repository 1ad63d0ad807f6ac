"""An operation's item expires (DynamoDB TTL) the history's retention after its last change."""

from datetime import timedelta

from ordersync.core.clock import now
from ordersync.core.settings import get_settings
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore


def _expiry(stack, operation_id):
    item = stack.item("OperationsTable", {"operationId": {"S": operation_id}})
    return int(item["expiresAt"]["N"])


def test_each_change_pushes_the_expiry_to_the_retention_after_it(stack, accepted, order_request):
    retention = timedelta(days=get_settings().history_retention_days)
    message = accepted(order_request)
    created = _expiry(stack, message.operation_id)
    assert abs(created - (now() + retention).timestamp()) < 60

    OperationStore().record(
        message.operation_id,
        status=OperationStatus.FAILED,
        attempts=1,
        outcome=None,
        where="waiting for a person",
    )

    assert _expiry(stack, message.operation_id) >= created
    assert abs(_expiry(stack, message.operation_id) - (now() + retention).timestamp()) < 60
