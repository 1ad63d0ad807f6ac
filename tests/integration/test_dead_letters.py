"""One dead-letter copy per skip (on moto): a stale copy of a skipped operation's message (one a
timed-out batch gave back after the run that skipped it had finished) neither runs it again nor
puts a second message in the dead-letter queue; only the copy a redrive brings back runs it.
This was the soak's off-by-one: 977 messages in the DLQ for 976 waiting operations."""

import json
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ordersync.core import aws
from ordersync.operations import dispatch
from ordersync.operations.models import OperationStatus, RecordedOutcome
from ordersync.operations.records import OperationStore
from tests.factories import operation_message


@pytest.fixture(autouse=True)
def handler_logger():
    return Logger()


@pytest.fixture
def runs(stack, order_request, monkeypatch):
    """Every run of the workflow, which skips the operation on its first run and syncs it on
    any later one."""
    started: list[int] = []

    def run_workflow(workflow_input):
        started.append(workflow_input.run)
        message = workflow_input.message
        if len(started) == 1:
            moment = datetime.now(UTC)
            OperationStore().record(
                message.operation_id,
                status=OperationStatus.SKIPPED,
                attempts=1,
                outcome=None,
                where="retry budget spent",
                restart_runs=True,
                skipped_at=moment,
            )
            return RecordedOutcome(
                disposition="dead_letter",
                status=OperationStatus.SKIPPED,
                code="Platform Unavailable",
                skipped_at=moment,
            )
        OperationStore().record(
            message.operation_id,
            status=OperationStatus.SYNCED,
            attempts=2,
            outcome=None,
            where="synced",
        )
        return RecordedOutcome(disposition="done", status=OperationStatus.SYNCED, code="x")

    monkeypatch.setattr(dispatch, "run_workflow", run_workflow)
    return started


def receive(stack, queue="OperationsQueue"):
    found = stack.sqs.receive_message(
        QueueUrl=stack.resources[queue], MaxNumberOfMessages=10, AttributeNames=["All"]
    ).get("Messages", [])
    return [
        SQSRecord(
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m["Attributes"],
                "messageAttributes": {},
            }
        )
        for m in found
    ]


def test_a_stale_copy_of_a_skipped_operation_neither_runs_nor_doubles_the_dlq(
    stack, order_request, runs
):
    message = operation_message(order_request)
    OperationStore().create(message)
    for _ in range(2):  # the message, and the copy a timed-out batch gave back
        stack.sqs.send_message(
            QueueUrl=stack.resources["OperationsQueue"],
            MessageBody=message.model_dump_json(by_alias=True),
        )
    first, stale = receive(stack)

    assert dispatch.dispatch(first).status is OperationStatus.SKIPPED
    assert dispatch.dispatch(stale) is None

    assert runs == [1]
    [dead_letter] = receive(stack, "OperationsDeadLetterQueue")
    assert json.loads(dead_letter.body)["deadLetterOf"] is not None
    # The redrive brings that copy back; it, and only it, runs the operation again.
    assert dispatch.dispatch(dead_letter).status is OperationStatus.SYNCED
    assert runs == [1, 1]


def test_a_dead_letter_copy_whose_send_failed_is_sent_by_the_next_copy(
    stack, order_request, runs, monkeypatch
):
    message = operation_message(order_request)
    OperationStore().create(message)
    for _ in range(2):
        stack.sqs.send_message(
            QueueUrl=stack.resources["OperationsQueue"],
            MessageBody=message.model_dump_json(by_alias=True),
        )
    first, again = receive(stack)
    sqs = aws.sqs()
    real_send = sqs.send_message

    def failing_once(**request):
        monkeypatch.setattr(sqs, "send_message", real_send)
        raise RuntimeError("SQS is down")

    monkeypatch.setattr(sqs, "send_message", failing_once)

    with pytest.raises(RuntimeError):
        dispatch.dispatch(first)
    assert dispatch.dispatch(again) is None

    assert runs == [1]
    assert len(receive(stack, "OperationsDeadLetterQueue")) == 1
