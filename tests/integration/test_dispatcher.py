"""The dispatcher handler on moto's SQS and the workflow's last task: partial batch failures for
runs that could not start, the growing backoff of a run's next one, the dead-letter copy, and a
copy that runs nothing."""

import json
import sys
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.catalog.errors import PlatformRateLimitedError, PlatformUnavailableError
from ordersync.core.models import OperationMessage
from ordersync.delivery.tasks import not_run, take_run
from ordersync.operations import dispatch, leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import caught
from tests.factories import delivery_summary as summary


@pytest.fixture
def handler():
    load_handler(LocalTemplate.load().functions["DispatcherFunction"])
    return sys.modules["ordersync_local_DispatcherFunction"].lambda_handler


@pytest.fixture
def queued(stack, accepted, order_request):
    """Record an operation on order `order_id` (as the API does first) and queue its message."""

    def queue(order_id: str) -> OperationMessage:
        message = accepted(order_request, order_id=order_id)
        stack.sqs.send_message(
            QueueUrl=stack.resources["OperationsQueue"],
            MessageBody=message.model_dump_json(by_alias=True),
        )
        return message

    return queue


def receive(stack):
    messages = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m["Attributes"],
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def _context():
    return LambdaContext(function_name="dispatcher", timeout_seconds=120)


def _fresh_messages(stack):
    """The operations queue's messages, delayed ones too (moto's DelaySeconds is skipped by a
    receive of VisibilityTimeout 0 only once due: read the queue's counts instead)."""
    return int(
        stack.sqs.get_queue_attributes(
            QueueUrl=stack.resources["OperationsQueue"],
            AttributeNames=["ApproximateNumberOfMessagesDelayed"],
        )["Attributes"]["ApproximateNumberOfMessagesDelayed"]
    )


def test_one_record_that_cannot_start_does_not_fail_its_batch(stack, queued, handler, monkeypatch):
    started = []

    def start_workflow(message, name):
        if message.order_id == "B":
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "StartExecution")
        started.append(message.order_id)

    monkeypatch.setattr(dispatch, "start_workflow", start_workflow)
    for order_id in ("A", "B", "C"):
        queued(order_id)
    stack.sqs.send_message(QueueUrl=stack.resources["OperationsQueue"], MessageBody="{not json")
    event = receive(stack)
    by_order = {
        json.loads(r["body"])["orderId"] if r["body"].startswith('{"') else "poison": r["messageId"]
        for r in event["Records"]
    }

    result = handler(event, _context())

    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failed == {by_order["B"], by_order["poison"]}
    assert sorted(started) == ["A", "C"]  # each started exactly once, and not waited for


def test_each_failed_run_s_next_run_waits_out_a_growing_backoff(stack, queued):
    message = queued("A")
    error = PlatformUnavailableError(summary("Platform Unavailable", http_code=503))
    waits = []
    for run in (1, 2, 3, 4):
        recorded = record_outcome(WorkflowInput(message=message, run=run, failure=caught(error)))
        assert recorded.disposition == "retry"
        waits.append(recorded.retry_in_seconds)

    # 60 s doubling with full jitter: run n waits between half of 60 * 2^(n-1) and all of it,
    # so each wait is at least as long as the one before and the fourth about eight times the first.
    for run, delay in enumerate(waits, start=1):
        ceiling = 60 * 2 ** (run - 1)
        assert ceiling // 2 - 1 <= delay <= ceiling, (run, waits)
    assert waits == sorted(waits)
    # Each next run is a fresh message, delayed until it is due (the first is still queued).
    assert _fresh_messages(stack) == 4


def test_the_platform_s_retry_after_holds_the_next_run_back_at_least_that_long(stack, queued):
    message = queued("A")
    error = PlatformRateLimitedError(summary("Rate Limited", retry_after_seconds=300))

    recorded = record_outcome(WorkflowInput(message=message, run=1, failure=caught(error)))

    assert recorded.retry_in_seconds == 300, "the first run's backoff (30-60 s) is shorter"


def test_a_spent_budget_moves_the_operation_to_the_dead_letter_queue(stack, queued):
    message = queued("POISON")
    long_ago = message.model_copy(update={"accepted_at": datetime.now(UTC) - timedelta(days=30)})
    error = PlatformUnavailableError(summary("Platform Unavailable", http_code=503))

    recorded = record_outcome(WorkflowInput(message=long_ago, run=99, failure=caught(error)))

    assert recorded.disposition == "dead_letter"
    [moved] = stack.sqs.receive_message(QueueUrl=stack.resources["OperationsDeadLetterQueue"])[
        "Messages"
    ]
    assert json.loads(moved["Body"])["orderId"] == "POISON"
    assert OperationStore().get(message.operation_id).status is OperationStatus.SKIPPED


def test_a_second_copy_s_run_delivers_nothing_while_the_first_holds_the_operation(stack, queued):
    message = queued("A")
    first = take_run(message, leases.holder_of("first"), {"retryCount": 0})
    assert first.lease is Lease.TAKEN
    # SQS hands the same message out again: the dispatcher starts a second execution.
    second = take_run(message, leases.holder_of("second"), {"retryCount": 0})
    assert (second.lease, second.twin) == (Lease.HELD, False)

    ended = record_outcome(
        WorkflowInput(message=message, execution_name="second", delivery=not_run(second))
    )

    assert ended.not_run == "held"
    assert _fresh_messages(stack) == 0, "the holder's run sends what follows, not the copy"
    assert OperationStore().get(message.operation_id).status is OperationStatus.PENDING


def test_a_message_for_a_finished_operation_runs_nothing(stack, queued, handler, inline_workflow):
    finished = queued("B")
    OperationStore().record(
        finished.operation_id,
        status=OperationStatus.SYNCED,
        attempts=1,
        outcome=None,
        where="synced",
    )

    result = handler(receive(stack), _context())

    assert result["batchItemFailures"] == []
    [ended] = inline_workflow
    assert ended.not_run == "finished", "a repeated or redriven copy must not deliver again"
