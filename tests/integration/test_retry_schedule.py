"""The retry schedule across SQS: runs are counted with the lease (a copy that does not run is
not charged), a retry that would outlive the queue's retention goes on as a fresh message, and
a fresh message waits for its due time without a run."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ordersync.core.models import OperationMessage
from ordersync.operations import dispatch, leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus, RecordedOutcome
from ordersync.operations.records import OperationStore


@pytest.fixture(autouse=True)
def handler_logger():
    """The dispatcher's module logger is a child of the handler's, as in the function."""
    return Logger()


def _queue(stack, order_request, **changes):
    message = OperationMessage(
        operation_id="op-retry",
        operation="create",
        merchant_id="m1",
        integration_id="erp",
        channel_id="shop",
        order_id="RETRY-1",
        accepted_at=datetime.now(UTC),
        payload=order_request,
        **changes,
    )
    OperationStore().create(message)
    stack.sqs.send_message(
        QueueUrl=stack.resources["OperationsQueue"],
        MessageBody=message.model_dump_json(by_alias=True),
    )
    return message


def _receive(stack, **attributes):
    [message] = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], AttributeNames=["All"]
    )["Messages"]
    return SQSRecord(
        {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {**message["Attributes"], **attributes},
            "messageAttributes": {},
        }
    )


def _retrying(delay):
    return RecordedOutcome(
        disposition="retry",
        status=OperationStatus.FAILED,
        code="Platform Unavailable",
        retry_in_seconds=delay,
    )


def _messages(stack):
    found = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], MaxNumberOfMessages=10, VisibilityTimeout=0
    ).get("Messages", [])
    return [json.loads(m["Body"]) for m in found]


def test_each_run_is_counted_once_and_a_held_copy_is_not(stack, order_request):
    _queue(stack, order_request)

    first = leases.acquire("op-retry", "receive-1", 60)
    held = leases.acquire("op-retry", "receive-2", 60)
    leases.release("op-retry", "receive-1")
    second = leases.acquire("op-retry", "receive-3", 60)

    assert (first.lease, first.run) == (Lease.TAKEN, 1)
    assert held.lease is Lease.HELD
    assert (second.lease, second.run) == (Lease.TAKEN, 2), "the held copy did not count"


def test_the_workflow_is_told_which_run_it_is(stack, order_request, monkeypatch):
    message = _queue(stack, order_request)
    runs = []
    monkeypatch.setattr(
        dispatch, "run_workflow", lambda workflow: runs.append(workflow.run) or _retrying(60)
    )
    for receive in range(3):  # three receives of one message, as SQS hands it out again
        record = SQSRecord(
            {
                "messageId": "m-1",
                "receiptHandle": f"receive-{receive}",
                "body": message.model_dump_json(by_alias=True),
                "attributes": {"ApproximateReceiveCount": str(receive + 1)},
            }
        )
        with pytest.raises(dispatch.RetryLater):
            dispatch.dispatch(record)

    assert runs == [1, 2, 3]


def test_a_retry_that_would_outlive_the_queue_goes_on_as_a_fresh_message(
    stack, order_request, monkeypatch
):
    message = _queue(stack, order_request)
    monkeypatch.setattr(dispatch, "run_workflow", lambda workflow: _retrying(3600))
    monkeypatch.setattr(dispatch, "MAX_DELAY_SECONDS", 0)  # visible at once, to be read here
    # Retention is 4 days: due in an hour, within the 6-hour margin of the limit.
    sent = int((datetime.now(UTC) - timedelta(days=3.8)).timestamp() * 1000)

    result = dispatch.dispatch(_receive(stack, SentTimestamp=str(sent)))

    assert result is not None, "acknowledged: this copy is done with"
    assert result.disposition == "retry"
    [fresh] = _messages(stack)  # the old one is still in flight; this is the new one
    assert fresh["operationId"] == message.operation_id
    due = datetime.fromisoformat(fresh["notBefore"])
    assert timedelta(minutes=59) < due - datetime.now(UTC) <= timedelta(hours=1)


def test_a_retry_received_too_often_goes_on_as_a_fresh_message(stack, order_request, monkeypatch):
    _queue(stack, order_request)
    monkeypatch.setattr(dispatch, "run_workflow", lambda workflow: _retrying(60))
    monkeypatch.setattr(dispatch, "MAX_DELAY_SECONDS", 0)

    result = dispatch.dispatch(_receive(stack, ApproximateReceiveCount="100"))

    assert result is not None
    [fresh] = _messages(stack)
    assert fresh["notBefore"]


def test_a_young_retry_waits_in_its_own_message(stack, order_request, monkeypatch):
    _queue(stack, order_request)
    monkeypatch.setattr(dispatch, "run_workflow", lambda workflow: _retrying(3600))

    with pytest.raises(dispatch.RetryLater, match="next run in 3600s"):
        dispatch.dispatch(_receive(stack))

    assert _messages(stack) == []


def test_a_fresh_message_waits_for_its_due_time_without_a_run(stack, order_request, monkeypatch):
    later = datetime.now(UTC) + timedelta(minutes=45)
    _queue(stack, order_request, not_before=later)
    runs = []
    monkeypatch.setattr(dispatch, "run_workflow", lambda workflow: runs.append(1))

    with pytest.raises(dispatch.RetryLater, match="not due before"):
        dispatch.dispatch(_receive(stack))

    assert runs == []
    assert _messages(stack) == [], "invisible until it is due"
    assert leases.acquire("op-retry", "someone", 60).run == 1, "the postponement was no run"


def test_a_skipped_operation_redriven_from_the_dead_letter_queue_gets_its_runs_again(
    stack, order_request, monkeypatch
):
    message = _queue(stack, order_request)
    for holder in ("a", "b", "c"):
        leases.acquire("op-retry", holder, 0)
    OperationStore().record(
        message.operation_id,
        status=OperationStatus.SKIPPED,
        attempts=3,
        outcome=None,
        where="in the dead-letter queue",
        restart_runs=True,
    )

    assert leases.acquire("op-retry", "redriven", 60).run == 1
