"""A dispatcher short of time starts no run it has no time to start: the rest of its batch goes
back unstarted (partial batch failures), visible again at once, with no run counted against it;
one of its own AWS calls failing brings the message back after a short backoff."""

import sys

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from local.lambdas import LambdaContext, _load
from local.template import LocalTemplate
from ordersync.core import aws
from ordersync.operations import dispatch


class RunningOut(LambdaContext):
    """A context whose time left drops below a workflow's limit after the first run."""

    def __init__(self, runs: list[str]) -> None:
        super().__init__(function_name="dispatcher", timeout_seconds=120)
        self.runs = runs

    def get_remaining_time_in_millis(self) -> int:
        return 120_000 if not self.runs else dispatch.START_BUDGET_MS - 1


@pytest.fixture(autouse=True)
def handler_logger():
    """The dispatcher's module logger is a child of the handler's, as in the function."""
    return Logger()


def receive(stack):
    """A batch as the event-source mapping hands it to the dispatcher."""
    messages = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], MaxNumberOfMessages=10, AttributeNames=["All"]
    ).get("Messages", [])
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
            "messageAttributes": {},
            "eventSource": "aws:sqs",
        }
        for m in messages
    ]
    return {"Records": records}


@pytest.fixture
def handler():
    _load(LocalTemplate.load().functions["DispatcherFunction"])
    return sys.modules["ordersync_local_DispatcherFunction"].lambda_handler


def test_a_batch_that_would_outlive_its_function_gives_the_rest_back_unstarted(
    stack, accepted, order_request, handler, monkeypatch
):
    runs: list[str] = []
    monkeypatch.setattr(
        dispatch, "start_workflow", lambda message, name: runs.append(message.operation_id)
    )
    messages = [accepted(order_request) for _ in range(3)]
    for message in messages:
        stack.sqs.send_message(
            QueueUrl=stack.resources["OperationsQueue"],
            MessageBody=message.model_dump_json(by_alias=True),
        )
    event = receive(stack)
    assert len(event["Records"]) == 3

    result = handler(event, RunningOut(runs))

    assert len(runs) == 1
    given_back = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert len(given_back) == 2
    # Visible again at once for an invocation with time to run them, and not charged a run.
    assert {r["messageId"] for r in receive(stack)["Records"]} == given_back
    for message in messages:
        if message.operation_id not in runs:
            item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})
            assert "runs" not in item


def test_a_failed_aws_call_of_its_own_brings_the_message_back_soon(
    stack, accepted, order_request, monkeypatch
):
    """Not after the queue's whole visibility timeout (12 minutes): after a short backoff."""

    def throttled(*args, **kwargs):
        raise ClientError({"Error": {"Code": "ThrottlingException"}}, "StartExecution")

    monkeypatch.setattr(dispatch, "start_workflow", throttled)
    delays: list[int] = []
    sqs = aws.sqs()
    postpone = sqs.change_message_visibility

    def spy(**request):
        delays.append(request["VisibilityTimeout"])
        return postpone(**request)

    monkeypatch.setattr(sqs, "change_message_visibility", spy)
    message = accepted(order_request)
    stack.sqs.send_message(
        QueueUrl=stack.resources["OperationsQueue"],
        MessageBody=message.model_dump_json(by_alias=True),
    )
    [record] = receive(stack)["Records"]

    with pytest.raises(ClientError):
        dispatch.dispatch(SQSRecord(record))

    [delay] = delays
    assert (
        delay
        <= 60
        < LocalTemplate.load().sam["Resources"]["OperationsQueue"]["Properties"][
            "VisibilityTimeout"
        ]
    )
