"""The retry schedule across SQS: runs are counted with the lease (a copy that does not run is
not charged), only the run holding the lease records its end, a retry goes on as a fresh delayed
message, and a fresh message waits for its due time without a run."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ordersync.core.models import OperationMessage
from ordersync.delivery.tasks import take_run
from ordersync.operations import dispatch, leases, settle
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


def _end_run(holder, status=OperationStatus.FAILED):
    OperationStore().record(
        "op-retry", status=status, attempts=1, outcome=None, where="x", end_run=True, holder=holder
    )


def test_each_run_is_counted_once_and_a_held_copy_is_not(stack, order_request):
    _queue(stack, order_request)

    first = leases.acquire("op-retry", "receive-1", 60)
    held = leases.acquire("op-retry", "receive-2", 60)
    _end_run("receive-1")
    second = leases.acquire("op-retry", "receive-3", 60)

    assert (first.lease, first.run) == (Lease.TAKEN, 1)
    assert held.lease is Lease.HELD
    assert (second.lease, second.run) == (Lease.TAKEN, 2), "the held copy did not count"


def test_each_execution_s_run_is_counted_by_its_lease(stack, order_request):
    message = _queue(stack, order_request)
    runs = []
    for execution in ("one", "two", "three"):
        taken = take_run(message, leases.holder_of(execution), {"retryCount": 0})
        runs.append(taken.run)
        _end_run(leases.holder_of(execution))

    assert runs == [1, 2, 3]


def test_only_the_run_that_holds_the_lease_records_its_end(stack, order_request):
    _queue(stack, order_request)
    leases.acquire("op-retry", "original", 60)

    # A twin of the execution that never took the lease, or one whose lease another took.
    assert not OperationStore().record(
        "op-retry",
        status=OperationStatus.FAILED,
        attempts=1,
        outcome=None,
        where="x",
        end_run=True,
        holder="twin",
    )
    _end_run("original", OperationStatus.SYNCED)
    _end_run("original", OperationStatus.SYNCED)  # its own retry, after its write went through
    assert OperationStore().get("op-retry").status is OperationStatus.SYNCED


def test_a_retry_goes_on_as_a_fresh_message_due_after_its_backoff(
    stack, order_request, monkeypatch
):
    message = _queue(stack, order_request)
    stack.sqs.purge_queue(QueueUrl=stack.resources["OperationsQueue"])
    monkeypatch.setattr(settle, "MAX_DELAY_SECONDS", 0)  # visible at once, to be read here

    settle.after_run(message, _retrying(3600))

    [fresh] = _messages(stack)
    assert fresh["operationId"] == message.operation_id
    due = datetime.fromisoformat(fresh["notBefore"])
    assert timedelta(minutes=59) < due - datetime.now(UTC) <= timedelta(hours=1)


def test_a_short_retry_is_delayed_by_sqs_itself(stack, order_request):
    message = _queue(stack, order_request)
    stack.sqs.purge_queue(QueueUrl=stack.resources["OperationsQueue"])

    settle.after_run(message, _retrying(60))

    assert _messages(stack) == [], "delayed: not visible before its minute"


def test_a_fresh_message_waits_for_its_due_time_without_a_run(stack, order_request, monkeypatch):
    later = datetime.now(UTC) + timedelta(minutes=45)
    _queue(stack, order_request, not_before=later)
    runs = []
    monkeypatch.setattr(dispatch, "start_workflow", lambda message, name: runs.append(name))

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
