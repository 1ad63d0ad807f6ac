"""Every sample event in events/ is one its function accepts; every function and route has one."""

import json

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2, SQSEvent

from local.template import LocalTemplate
from ordersync.core.models import OperationMessage
from ordersync.merchants.models import InviteRequest, UserUpdate
from ordersync.operations.models import RecordedOutcome, WorkflowInput
from ordersync.orders.payloads import (
    CancelOrderRequest,
    CreateOrderRequest,
    InvoiceRequest,
    RefundRequest,
    ShipmentRequest,
)
from tests.factories import EVENTS, load_event

TEMPLATE = LocalTemplate.load()
FOLDERS = {
    "ApiFunction": "api",
    "AuthorizerFunction": "authorizer",
    "DispatcherFunction": "dispatcher",
    "OrderCreateFunction": "order_create",
    "OrderCancelFunction": "order_cancel",
    "OrderInvoiceFunction": "order_invoice",
    "OrderShipmentFunction": "order_shipment",
    "OrderRefundFunction": "order_refund",
    "RecordOutcomeFunction": "record_outcome",
    "AlertCallbackFunction": "alert_callback",
    "SweeperFunction": "sweeper",
    "MerchantApiFunction": "merchant_api",
    "ConsoleFunction": "console",
    "BulkActionsFunction": "bulk_actions",
    "ExportFunction": "export",
    "NotifierFunction": "notifier",
    "DigestFunction": "digests",
    "ReportFunction": "report",
    "ResolvePageFunction": "resolve_page",
}
HTTP_FOLDERS = ("api", "merchant_api", "resolve_page", "console")


def test_every_function_has_sample_events():
    assert set(FOLDERS) == set(TEMPLATE.functions)
    for folder in FOLDERS.values():
        assert list((EVENTS / folder).glob("*.json")), folder


def test_every_route_has_a_sample_http_event():
    samples = {
        APIGatewayProxyEventV2(load_event(f"{folder}/{p.name}")).route_key
        for folder in HTTP_FOLDERS
        for p in (EVENTS / folder).glob("*.json")
    }
    assert samples == {f"{r.method} {r.path}" for r in TEMPLATE.routes}


def test_http_events_carry_valid_bodies():
    event = APIGatewayProxyEventV2(load_event("api/create_order.json"))
    CreateOrderRequest.model_validate(json.loads(event.body))
    for name, model in [
        ("cancel_order", CancelOrderRequest),
        ("invoice_order", InvoiceRequest),
        ("ship_order", ShipmentRequest),
        ("refund_order", RefundRequest),
    ]:
        model.model_validate(
            json.loads(APIGatewayProxyEventV2(load_event(f"api/{name}.json")).body)
        )
    assert event.request_context.authorizer.get_lambda["channelId"] == "demo-shop"


def test_merchant_events_carry_valid_bodies_and_an_id_tokens_claims():
    invite = APIGatewayProxyEventV2(load_event("merchant_api/invite_user.json"))
    InviteRequest.model_validate(json.loads(invite.body))
    update = APIGatewayProxyEventV2(load_event("merchant_api/update_user.json"))
    UserUpdate.model_validate(json.loads(update.body))
    claims = invite.request_context.authorizer.jwt_claim
    assert claims["custom:merchant_id"] == "demo-merchant"
    assert claims["token_use"] == "id"


def test_queue_and_workflow_events_carry_valid_operations():
    for record in SQSEvent(load_event("dispatcher/sqs_batch.json")).records:
        OperationMessage.model_validate_json(record.body)
    for folder in (
        "order_create",
        "order_cancel",
        "order_invoice",
        "order_shipment",
        "order_refund",
    ):
        message = OperationMessage.model_validate(load_event(f"{folder}/invoke.json")["message"])
        assert folder.endswith(message.operation.value)
    callback = load_event("alert_callback/invoke.json")
    OperationMessage.model_validate(callback["message"])
    RecordedOutcome.model_validate(callback["recorded"])
    for name in ("delivered.json", "caught_failure.json"):
        WorkflowInput.model_validate(load_event(f"record_outcome/{name}"))


def test_console_events_are_answered_without_a_session(monkeypatch):
    """The root sends to the overview, and the sign-in page is served, under the stage."""
    from ordersync.console.app import handle
    from ordersync.core.aws import reset_clients

    monkeypatch.setenv("MERCHANT_USER_POOL_ID", "us-east-1_pool")
    monkeypatch.setenv("MERCHANT_USER_POOL_CLIENT_ID", "client")
    reset_clients()
    root = handle(load_event("console/root.json"), None)
    assert (root["statusCode"], root["headers"]["Location"]) == (303, "/dev/console/overview")
    sign_in = handle(load_event("console/sign_in_page.json"), None)
    assert sign_in["statusCode"] == 200
    assert 'action="/dev/console/sign-in"' in sign_in["body"]
    reset_clients()


def test_the_alert_stream_event_is_a_change_the_notifier_emails_about():
    from ordersync.notifications.rules import newly_waiting

    (record,) = load_event("notifier/alert_stream.json")["Records"]
    alert = newly_waiting(record)
    assert alert is not None
    assert alert.outcome.code == "Missing Shipping Data"
