"""The intake gap: the API records an operation, then sends its message. When the send fails, a
channel's retry finds the record and answers without sending; the sweeper must send it again."""

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.models import OperationType
from ordersync.core.settings import get_settings
from ordersync.operations import intake
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore
from ordersync.operations.sweeper import sweep


class FailingSends:
    """The SQS client, but SendMessage fails as it does when SQS is unavailable."""

    def __init__(self, client):
        self._client = client

    def send_message(self, **request):
        raise ClientError({"Error": {"Code": "ServiceUnavailable"}}, "SendMessage")

    def __getattr__(self, name):
        return getattr(self._client, name)


def request(payload):
    return intake.AcceptRequest(
        channel_id="shop",
        merchant_id="m1",
        integration_id="erp",
        operation=OperationType.CREATE,
        order_id="GAP-1",
        payload=payload,
    )


def test_an_operation_whose_message_was_never_sent_is_sent_by_the_sweeper(
    stack, order_request, monkeypatch
):
    working = aws.sqs()
    monkeypatch.setattr(aws, "sqs", lambda: FailingSends(working))
    with pytest.raises(ClientError):
        intake.accept(request(order_request))
    monkeypatch.setattr(aws, "sqs", lambda: working)
    retried = intake.accept(request(order_request))  # the channel retries after the 5xx

    assert retried.status is OperationStatus.PENDING
    assert stack.queue_depth() == 0, "the retry finds the record and sends nothing"

    overdue = now() + timedelta(minutes=get_settings().queued_alert_minutes + 1)
    report = sweep(at=overdue)

    assert (report.queued, report.requeued) == (1, 1)
    assert stack.queue_depth() == 1
    operation = OperationStore().get(retried.operation_id)
    assert operation.status is OperationStatus.QUEUED
    assert "sent to the operations queue again" in operation.where
    assert sweep(at=overdue).requeued == 0, "sent once per overdue deadline, not every sweep"


def test_a_queued_operation_behind_a_backlog_is_flagged_but_not_sent_twice(stack, order_request):
    accepted = intake.accept(request(order_request))  # its message is in the queue

    report = sweep(at=now() + timedelta(minutes=get_settings().queued_alert_minutes + 1))

    assert (report.queued, report.requeued) == (1, 0)
    assert stack.queue_depth() == 1
    assert OperationStore().get(accepted.operation_id).status is OperationStatus.QUEUED
