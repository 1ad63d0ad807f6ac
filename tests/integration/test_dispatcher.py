"""The dispatcher handler on moto's SQS: partial batch failures and the growing backoff."""

import json
import sys

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.core import aws
from ordersync.core.models import OperationMessage
from ordersync.operations import dispatch
from ordersync.operations.models import OperationStatus, RecordedOutcome
from ordersync.operations.records import OperationStore


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


def test_one_failing_record_does_not_fail_its_batch(stack, queued, handler, monkeypatch):
    runs = []

    def run_workflow(workflow_input):
        runs.append(workflow_input.message.order_id)
        disposition = "retry" if workflow_input.message.order_id == "B" else "done"
        return RecordedOutcome(
            disposition=disposition,
            status=OperationStatus.SYNCED,
            code="x",
            retry_after_seconds=None,
        )

    monkeypatch.setattr(dispatch, "run_workflow", run_workflow)
    for order_id in ("A", "B", "C"):
        queued(order_id)
    stack.sqs.send_message(QueueUrl=stack.resources["OperationsQueue"], MessageBody="{not json")
    event = receive(stack)
    by_order = {
        json.loads(r["body"])["orderId"] if r["body"].startswith('{"') else "poison": r["messageId"]
        for r in event["Records"]
    }

    result = handler(event, LambdaContext(function_name="dispatcher", timeout_seconds=120))

    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert failed == {by_order["B"], by_order["poison"]}
    assert sorted(runs) == ["A", "B", "C"]  # each run exactly once


def test_a_retry_waits_out_a_growing_backoff(stack, queued, handler, monkeypatch):
    monkeypatch.setattr(
        dispatch,
        "run_workflow",
        lambda _: RecordedOutcome(
            disposition="retry", status=OperationStatus.FAILED, code="Platform Unavailable"
        ),
    )
    delays = []
    sqs = aws.sqs()
    postpone = sqs.change_message_visibility

    def spy(**request):
        delays.append(request["VisibilityTimeout"])
        return postpone(**request)

    monkeypatch.setattr(sqs, "change_message_visibility", spy)
    queue = stack.resources["OperationsQueue"]
    queued("A")

    for run in (1, 2, 3, 4):
        event = receive(stack)
        [record] = event["Records"]
        assert record["attributes"]["ApproximateReceiveCount"] == str(run)
        result = handler(event, LambdaContext(function_name="dispatcher", timeout_seconds=120))
        assert len(result["batchItemFailures"]) == 1
        # Hidden for the backoff: an immediate receive finds nothing.
        assert stack.sqs.receive_message(QueueUrl=queue).get("Messages", []) == []
        # The backoff passes (without the wait): the message is visible again.
        stack.sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
        )

    # 60 s doubling with full jitter: run n waits between half of 60 * 2^(n-1) and all of it,
    # so each wait is at least as long as the one before and the fourth about eight times the first.
    assert len(delays) == 4
    for run, delay in enumerate(delays, start=1):
        ceiling = 60 * 2 ** (run - 1)
        assert ceiling // 2 - 1 <= delay <= ceiling, (run, delays)
    assert delays == sorted(delays)


def test_the_platform_s_retry_after_holds_the_message_back_at_least_that_long(
    stack, queued, handler, monkeypatch
):
    monkeypatch.setattr(
        dispatch,
        "run_workflow",
        lambda _: RecordedOutcome(
            disposition="retry",
            status=OperationStatus.FAILED,
            code="Rate Limited",
            retry_after_seconds=300,
        ),
    )
    delays = []
    sqs = aws.sqs()
    postpone = sqs.change_message_visibility
    monkeypatch.setattr(
        sqs,
        "change_message_visibility",
        lambda **request: delays.append(request["VisibilityTimeout"]) or postpone(**request),
    )
    queued("A")
    result = handler(receive(stack), LambdaContext(function_name="dispatcher", timeout_seconds=120))
    assert len(result["batchItemFailures"]) == 1
    assert delays == [300], "the first run's backoff (30-60 s) is shorter than Retry-After"
    again = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], MaxNumberOfMessages=10
    )
    assert again.get("Messages", []) == []


def test_a_spent_budget_moves_the_message_to_the_dead_letter_queue_and_the_rest_of_the_batch_goes_on(
    stack, queued, handler, monkeypatch
):
    def run_workflow(workflow_input):
        spent = workflow_input.message.order_id == "POISON"
        return RecordedOutcome(
            disposition="dead_letter" if spent else "done",
            status=OperationStatus.SKIPPED if spent else OperationStatus.SYNCED,
            code="Platform Unavailable" if spent else "Order Created",
        )

    monkeypatch.setattr(dispatch, "run_workflow", run_workflow)
    for order_id in ("A", "POISON", "C"):
        queued(order_id)
    result = handler(receive(stack), LambdaContext(function_name="dispatcher", timeout_seconds=120))
    assert result["batchItemFailures"] == []  # all three are deleted by the event source
    [moved] = stack.sqs.receive_message(QueueUrl=stack.resources["OperationsDeadLetterQueue"])[
        "Messages"
    ]
    assert json.loads(moved["Body"])["orderId"] == "POISON"


def test_a_second_copy_of_a_message_does_not_run_while_the_first_holds_the_operation(
    stack, queued, handler, monkeypatch
):
    queued("A")
    event = receive(stack)
    duplicate = {"Records": [{**event["Records"][0], "receiptHandle": "another-receive"}]}
    runs = []

    def run_workflow(workflow_input):
        runs.append(workflow_input.message.order_id)
        # While this run holds the lease, SQS hands the same message out again.
        with pytest.raises(dispatch.RetryLater, match="being run by another delivery"):
            dispatch.dispatch(SQSRecord(duplicate["Records"][0]))
        return RecordedOutcome(
            disposition="done", status=OperationStatus.SYNCED, code="Order Created"
        )

    monkeypatch.setattr(dispatch, "run_workflow", run_workflow)
    result = handler(event, LambdaContext(function_name="dispatcher", timeout_seconds=120))
    assert result["batchItemFailures"] == []
    assert runs == ["A"], "the second copy must not start a second run"


def test_a_message_for_a_finished_operation_is_acknowledged_without_a_run(
    stack, queued, handler, monkeypatch
):
    finished = queued("B")
    OperationStore().record(
        finished.operation_id,
        status=OperationStatus.SYNCED,
        attempts=1,
        outcome=None,
        where="synced",
    )
    runs = []
    monkeypatch.setattr(dispatch, "run_workflow", lambda workflow_input: runs.append(1))

    result = handler(receive(stack), LambdaContext(function_name="dispatcher", timeout_seconds=120))

    assert result["batchItemFailures"] == []
    assert runs == [], "a repeated or redriven copy must not deliver a synced operation again"
