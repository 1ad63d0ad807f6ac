"""One dead-letter copy per skip (on moto): a stale copy of a skipped operation's message (a
duplicate delivery, or a copy the sweeper sent, after the run that skipped it had finished)
neither runs it again nor puts a second message in the dead-letter queue; only the copy a
redrive brings back runs it.
This was the soak's off-by-one: 977 messages in the DLQ for 976 waiting operations."""

import contextlib
import json
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ordersync.core import aws
from ordersync.delivery.tasks import not_run, take_run
from ordersync.operations import dispatch, leases, settle
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus, RecordedOutcome, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import operation_message


@pytest.fixture(autouse=True)
def handler_logger():
    return Logger()


@pytest.fixture
def runs(stack, order_request, monkeypatch):
    """Every run of the workflow, started by the dispatcher and run at once in process: it skips
    the operation on its first run and syncs it on any later one. A run whose last task fails
    (the workflow ends OutcomeNotRecorded) does not fail the dispatcher, which has moved on."""
    started: list[int] = []

    def start(message, name):
        holder = leases.holder_of(name)
        taken = take_run(message, holder, {"retryCount": 0})
        if taken.lease is not Lease.TAKEN:
            not_ran = {"delivery": not_run(taken)}
            record_outcome(WorkflowInput(message=message, execution_name=name, **not_ran))
            return
        started.append(taken.run)
        first = len(started) == 1
        moment = datetime.now(UTC)
        OperationStore().record(
            message.operation_id,
            status=OperationStatus.SKIPPED if first else OperationStatus.SYNCED,
            attempts=taken.attempt,
            outcome=None,
            where="retry budget spent" if first else "synced",
            restart_runs=first,
            skipped_at=moment if first else None,
            end_run=True,
            holder=holder,
        )
        recorded = RecordedOutcome(
            disposition="dead_letter" if first else "done",
            status=OperationStatus.SKIPPED if first else OperationStatus.SYNCED,
            code="Platform Unavailable",
            skipped_at=moment if first else None,
        )
        with contextlib.suppress(RuntimeError):
            settle.after_run(message, recorded)

    monkeypatch.setattr(dispatch, "start_workflow", start)
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

    dispatch.dispatch(first)
    dispatch.dispatch(stale)

    assert runs == [1]
    assert OperationStore().get(message.operation_id).status is OperationStatus.SKIPPED
    [dead_letter] = receive(stack, "OperationsDeadLetterQueue")
    assert json.loads(dead_letter.body)["deadLetterOf"] is not None
    # The redrive brings that copy back; it, and only it, runs the operation again.
    dispatch.dispatch(dead_letter)
    assert runs == [1, 1]
    assert OperationStore().get(message.operation_id).status is OperationStatus.SYNCED


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

    dispatch.dispatch(first)  # its run skipped it; its dead-letter send failed
    assert receive(stack, "OperationsDeadLetterQueue") == []
    dispatch.dispatch(again)

    assert runs == [1]
    assert len(receive(stack, "OperationsDeadLetterQueue")) == 1
