"""The local stack's faults in ordersync's own AWS calls (local/aws_faults.py): at the rate
asked, a handler's SQS send, DynamoDB write or workflow start fails as AWS fails it, before
anything is sent; reads, and calls the stack makes for itself, never do."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from local import aws_faults
from local.aws_faults import FaultInjector

ALWAYS = 0.999999


def _client(service: str, injector: FaultInjector):
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    session.events.register("before-call", injector)
    # Nothing listens there: a call not failed by the injector fails to connect instead.
    return session.client(
        service, endpoint_url="http://127.0.0.1:9", config=Config(retries={"max_attempts": 1})
    )


@pytest.fixture
def from_a_handler(monkeypatch):
    """Calls count as made while a handler runs (this test module stands for one)."""
    monkeypatch.setattr(aws_faults, "HANDLERS", __file__)


@pytest.mark.parametrize(
    ("service", "operation", "request_", "code"),
    [
        ("sqs", "send_message", {"QueueUrl": "q", "MessageBody": "{}"}, "InternalError"),
        (
            "dynamodb",
            "update_item",
            {"TableName": "t", "Key": {"pk": {"S": "k"}}},
            "ProvisionedThroughputExceededException",
        ),
        (
            "stepfunctions",
            "start_execution",
            {"stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:s"},
            "ThrottlingException",
        ),
    ],
)
def test_a_handler_s_send_write_or_start_fails_as_aws_fails_it(
    from_a_handler, service, operation, request_, code
):
    injector = FaultInjector(ALWAYS, seed=1)
    client = _client(service, injector)

    with pytest.raises(ClientError) as failed:
        getattr(client, operation)(**request_)

    assert failed.value.response["Error"]["Code"] == code
    assert sum(injector.injected.values()) == 1


def test_reads_are_not_failed(from_a_handler):
    injector = FaultInjector(ALWAYS, seed=1)
    client = _client("dynamodb", injector)

    with pytest.raises(EndpointConnectionError):  # sent, not answered by the injector
        client.get_item(TableName="t", Key={"pk": {"S": "k"}})

    assert injector.injected == {}


def test_the_stack_s_own_calls_are_not_failed():
    injector = FaultInjector(ALWAYS, seed=1)
    client = _client("sqs", injector)

    with pytest.raises(EndpointConnectionError):
        client.send_message(QueueUrl="q", MessageBody="{}")

    assert injector.injected == {}


def test_the_rate_is_kept_to(from_a_handler):
    injector = FaultInjector(0.2, seed=7)
    client = _client("sqs", injector)
    failed = 0
    for _ in range(300):
        try:
            client.send_message(QueueUrl="q", MessageBody="{}")
        except ClientError:
            failed += 1
        except EndpointConnectionError:
            pass
    assert 40 <= failed <= 80
    assert injector.injected == {"sqs.SendMessage": failed}
