"""Every sample event in events/ is one its function accepts; every function and route has one."""

import json

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2, SQSEvent
from ordersync.models import CreateOrderRequest, OperationMessage
from ordersync.outcomes import WorkflowInput

from local.template import LocalTemplate
from tests.conftest import EVENTS, load_event

TEMPLATE = LocalTemplate.load()
FOLDERS = {
    "ApiFunction": "api",
    "AuthorizerFunction": "authorizer",
    "DispatcherFunction": "dispatcher",
    "OrderCreateFunction": "order_create",
    "RecordOutcomeFunction": "record_outcome",
}


def test_every_function_has_sample_events():
    assert set(FOLDERS) == set(TEMPLATE.functions)
    for folder in FOLDERS.values():
        assert list((EVENTS / folder).glob("*.json")), folder


def test_every_route_has_a_sample_http_event():
    samples = {
        APIGatewayProxyEventV2(load_event(f"api/{p.name}")).route_key
        for p in (EVENTS / "api").glob("*.json")
    }
    assert samples == {f"{r.method} {r.path}" for r in TEMPLATE.routes}


def test_http_events_carry_valid_bodies():
    event = APIGatewayProxyEventV2(load_event("api/create_order.json"))
    CreateOrderRequest.model_validate(json.loads(event.body))
    assert event.request_context.authorizer.get_lambda["channelId"] == "demo-shop"


def test_queue_and_workflow_events_carry_valid_operations():
    for record in SQSEvent(load_event("dispatcher/sqs_batch.json")).records:
        OperationMessage.model_validate_json(record.body)
    OperationMessage.model_validate(load_event("order_create/invoke.json")["message"])
    for name in ("delivered.json", "caught_failure.json"):
        WorkflowInput.model_validate(load_event(f"record_outcome/{name}"))
