"""moto in process, with the tables and queues created from template.yaml itself: one stack for
the whole run, emptied before each test. moto is on for this package only: boto3 in the
end-to-end tests must reach the local stack, not an in-process mock."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.embedded_aws import make_dynamodb_writes_atomic
from local.platform import PlatformServer
from local.ports import free_port
from local.template import LocalTemplate
from ordersync.core import aws
from ordersync.core.aws import reset_clients
from ordersync.core.models import OperationMessage
from ordersync.operations.records import OperationStore
from tests.factories import operation_message
from tests.integration.direct_aws_support import moto_endpoint  # noqa: F401 (a fixture, shared)
from tests.integration.notifications_support import mail  # noqa: F401 (a fixture, shared)
from tests.integration.workflow_support import inline_workflow  # noqa: F401 (a fixture, shared)

REGION = "us-east-1"
ENVIRONMENT = {
    "ALERTS_TABLE": "AlertsTable",
    "HISTORY_TABLE": "HistoryTable",
    "CONFIG_TABLE": "ConfigTable",
    "OPERATIONS_TABLE": "OperationsTable",
    "ORDERS_TABLE": "OrdersTable",
    "RATE_LIMITS_TABLE": "RateLimitsTable",
    "SIGNATURES_TABLE": "SignaturesTable",
    "OPERATIONS_QUEUE_URL": "OperationsQueue",
    "DEAD_LETTER_QUEUE_URL": "OperationsDeadLetterQueue",
    "NOTIFICATIONS_TABLE": "NotificationsTable",
    "BULK_ACTIONS_QUEUE_URL": "BulkActionsQueue",
    "EXPORTS_TABLE": "ExportsTable",
    "EXPORTS_BUCKET": "ExportsBucket",
    "EXPORTS_QUEUE_URL": "ExportsQueue",
}


@dataclass
class Stack:
    resources: dict[str, str]
    dynamodb: Any
    sqs: Any
    tables: dict[str, list[str]] = field(default_factory=dict)  # logical id -> key attributes
    queues: list[str] = field(default_factory=list)  # logical ids

    def queue_depth(self, logical_id: str = "OperationsQueue") -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.resources[logical_id],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def item(self, logical_id: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.dynamodb.get_item(TableName=self.resources[logical_id], Key=key).get("Item")

    def keys(self, logical_id: str) -> list[dict[str, Any]]:
        """Every item's key (tests may Scan; the code may not)."""
        names = self.tables[logical_id]
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self.resources[logical_id],
            "ProjectionExpression": ", ".join(f"#k{n}" for n in range(len(names))),
            "ExpressionAttributeNames": {f"#k{n}": name for n, name in enumerate(names)},
        }
        while True:
            page = self.dynamodb.scan(**request)
            found += page["Items"]
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete_items(self, logical_id: str) -> None:
        keys = self.keys(logical_id)
        for start in range(0, len(keys), 25):
            self.dynamodb.batch_write_item(
                RequestItems={
                    self.resources[logical_id]: [
                        {"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]
                    ]
                }
            )

    def empty(self) -> None:
        """What one test wrote goes: every item of every table, every message of every queue
        (the sweeper reads a whole index and the dispatcher a whole queue, so keys alone do not
        keep tests apart)."""
        for logical_id in self.tables:
            self.delete_items(logical_id)
        for logical_id in self.queues:
            self.sqs.purge_queue(QueueUrl=self.resources[logical_id])


@pytest.fixture(scope="package")
def moto_stack() -> Iterator[Stack]:
    """The template's stack on moto, created once per run (tests/integration runs as one block)
    through moto's CloudFormation."""
    body = json.dumps(LocalTemplate.load().cloudformation({"Stage": "test"}))
    make_dynamodb_writes_atomic()  # as DynamoDB applies a conditional write: atomically
    with pytest.MonkeyPatch.context() as environment, mock_aws():
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            environment.delenv(name, raising=False)
        environment.setenv("AWS_DEFAULT_REGION", REGION)
        environment.setenv("AWS_ACCESS_KEY_ID", "testing")
        environment.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        environment.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        environment.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        # Each test seeds its own configuration into the same config table; the functions'
        # short config cache (ordersync.config.config_store) would hand it the previous test's.
        environment.setenv("CREDENTIAL_CACHE_SECONDS", "0")
        # Each test starts from empty queues: moto, like SQS, allows one purge a minute unless told.
        environment.setenv("MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR", "false")
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="ordersync-test",
            TemplateBody=body,
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": "test"}],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        summaries = cloudformation.list_stack_resources(StackName="ordersync-test")[
            "StackResourceSummaries"
        ]
        resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}
        for variable, logical_id in ENVIRONMENT.items():
            environment.setenv(variable, resources[logical_id])
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        stack = Stack(
            resources=resources, dynamodb=dynamodb, sqs=boto3.client("sqs", region_name=REGION)
        )
        for summary in summaries:
            if summary["ResourceType"] == "AWS::DynamoDB::Table":
                schema = dynamodb.describe_table(TableName=summary["PhysicalResourceId"])
                stack.tables[summary["LogicalResourceId"]] = [
                    key["AttributeName"] for key in schema["Table"]["KeySchema"]
                ]
            elif summary["ResourceType"] == "AWS::SQS::Queue":
                stack.queues.append(summary["LogicalResourceId"])
        reset_clients()
        yield stack
    reset_clients()


@pytest.fixture
def stack(moto_stack: Stack) -> Iterator[Stack]:
    """The run's moto stack, empty: no item and no message of an earlier test."""
    moto_stack.empty()
    reset_clients()  # a test may have changed the environment the settings were read from
    yield moto_stack
    reset_clients()


@pytest.fixture(scope="package")
def platform_server() -> Iterator[PlatformServer]:
    server = PlatformServer(free_port())
    server.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def platform(platform_server: PlatformServer) -> PlatformServer:
    """The simulated platform, forgetting every order, customer, fault and callback before."""
    platform_server.state.reset()
    return platform_server


@pytest.fixture
def accepted(stack: Stack) -> Callable[..., OperationMessage]:
    """Record an operation as the API does before queueing it (tests.factories.operation_message
    with `overrides`), and give it back."""

    def record(payload: dict[str, Any], **overrides: Any) -> OperationMessage:
        message = operation_message(payload, **overrides)
        assert OperationStore().create(message)
        return message

    return record


@pytest.fixture
def demo_create(stack: Stack, platform: PlatformServer, order_request: dict[str, Any]):
    """The demo merchant seeded against the simulated platform, and a function recording
    `order_request`'s creation under a given operation id as the API does (not queued)."""
    from datetime import UTC, datetime

    from local.seed import DEMO_CHANNEL, DEMO_INTEGRATION, DEMO_MERCHANT, seed_demo

    seed_demo(f"http://127.0.0.1:{platform.server_port}")

    def create(operation_id: str) -> OperationMessage:
        message = OperationMessage(
            operation_id=operation_id,
            operation="create",
            merchant_id=DEMO_MERCHANT,
            integration_id=DEMO_INTEGRATION,
            channel_id=DEMO_CHANNEL,
            order_id=order_request["orderId"],
            accepted_at=datetime.now(UTC),
            payload=order_request,
        )
        OperationStore().create(message)
        return message

    return create


READS = {"GetItem", "BatchGetItem", "Query", "Scan"}


@pytest.fixture
def writes_to() -> Iterator[Callable[[str], list[str]]]:
    """`writes_to("Operations")`: from then on, the writes to the tables whose name holds that
    word, by request name, as the package's client sends them."""
    counters: list[tuple[Any, Callable[..., None]]] = []

    def start(table: str) -> list[str]:
        writes: list[str] = []

        def count(model: Any, params: dict[str, Any], **_: Any) -> None:
            if table in params.get("TableName", "") and model.name not in READS:
                writes.append(model.name)

        events = aws.dynamodb().meta.events  # the client of the moment (a test may reset it)
        events.register("provide-client-params.dynamodb.*", count)
        counters.append((events, count))
        return writes

    yield start
    for events, count in counters:
        events.unregister("provide-client-params.dynamodb.*", count)


@pytest.fixture
def operation_writes(writes_to: Callable[[str], list[str]]) -> list[str]:
    return writes_to("Operations")
