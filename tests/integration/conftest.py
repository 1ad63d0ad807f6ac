"""moto in process, with the tables and queues created from template.yaml itself."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.platform import PlatformServer
from local.stack import free_port
from local.template import LocalTemplate
from ordersync.core.aws import reset_clients
from ordersync.core.models import OperationMessage
from ordersync.operations.records import OperationStore

REGION = "us-east-1"
ENVIRONMENT = {
    "ALERTS_TABLE": "AlertsTable",
    "HISTORY_TABLE": "HistoryTable",
    "CONFIG_TABLE": "ConfigTable",
    "OPERATIONS_TABLE": "OperationsTable",
    "ORDERS_TABLE": "OrdersTable",
    "SIGNATURES_TABLE": "SignaturesTable",
    "OPERATIONS_QUEUE_URL": "OperationsQueue",
    "DEAD_LETTER_QUEUE_URL": "OperationsDeadLetterQueue",
}


@dataclass
class Stack:
    resources: dict[str, str]
    dynamodb: Any
    sqs: Any

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


@pytest.fixture(scope="session")
def cloudformation_body() -> str:
    return json.dumps(LocalTemplate.load().cloudformation({"Stage": "test"}))


@pytest.fixture
def stack(monkeypatch, cloudformation_body) -> Iterator[Stack]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="ordersync-test",
            TemplateBody=cloudformation_body,
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": "test"}],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        resources = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cloudformation.list_stack_resources(StackName="ordersync-test")[
                "StackResourceSummaries"
            ]
        }
        for variable, logical_id in ENVIRONMENT.items():
            monkeypatch.setenv(variable, resources[logical_id])
        reset_clients()
        yield Stack(
            resources=resources,
            dynamodb=boto3.client("dynamodb", region_name=REGION),
            sqs=boto3.client("sqs", region_name=REGION),
        )
    reset_clients()


@pytest.fixture
def platform() -> Iterator[PlatformServer]:
    server = PlatformServer(free_port())
    server.start()
    yield server
    server.shutdown()
    server.server_close()


def accepted_operation(
    payload: dict[str, Any], operation_id: str, **overrides: Any
) -> OperationMessage:
    """An operation of merchant m1's integration erp from channel shop on order WEB-1, recorded
    as the API records it before queueing."""
    message = OperationMessage.model_validate(
        {
            "operation_id": operation_id,
            "operation": "create",
            "merchant_id": "m1",
            "integration_id": "erp",
            "channel_id": "shop",
            "order_id": "WEB-1",
            "accepted_at": datetime.now(UTC),
            "payload": payload,
            **overrides,
        }
    )
    OperationStore().create(message)
    return message
