"""Builders of the test data every suite uses: pure functions that make values and store nothing
(storing is left to fixtures). Each call makes new ids unless it is given some, so tests that
share a stack do not share records."""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordersync.alerts.models import Alert
from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationMessage, OperationType
from ordersync.orders.lifecycle import OrderState, OrderStatus

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


def load_event(name: str) -> Any:
    """A sample event or request body from events/ (a fresh copy on every call)."""
    return json.loads((EVENTS / name).read_text())


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def new_order(order_request: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A create-order body for a new order (new order id) from a new customer (new email: the
    simulated platform keeps customers for as long as it runs)."""
    tag = unique()
    customer = {**order_request["customer"], "email": f"buyer-{tag}@example.com"}
    return {**order_request, "orderId": f"WEB-{tag}", "customer": customer, **changes}


def operation_message(payload: dict[str, Any], **overrides: Any) -> OperationMessage:
    """An operation as the API accepts it: a create of merchant m1's integration erp from
    channel shop, with a new operation id and a new order id unless `overrides` names them."""
    return OperationMessage.model_validate(
        {
            "operation_id": str(uuid.uuid4()),
            "operation": "create",
            "merchant_id": "m1",
            "integration_id": "erp",
            "channel_id": "shop",
            "order_id": unique("WEB-"),
            "accepted_at": datetime.now(UTC),
            "payload": payload,
            **overrides,
        }
    )


def delivery_summary(
    code: str, attempt: int = 1, order_id: str = "WEB-1", **facts: Any
) -> dict[str, Any]:
    """What a delivery function returns to the workflow for an answer classified as `code`."""
    return {
        "attempt": attempt,
        "historyRef": "h",
        "outcome": outcome(code, order_id=order_id, **facts).model_dump(by_alias=True, mode="json"),
    }


def task_event(
    message: OperationMessage, retry_count: int = 0, execution: str | None = None
) -> dict[str, Any]:
    """A delivery task's input as the workflow gives it: the message, the execution's name (the
    run lease's holder is drawn from it) and `$$.State.RetryCount`."""
    return {
        "message": message.model_dump(mode="json", by_alias=True),
        "executionName": execution or f"{message.operation_id}-0123456789ab",
        "retryCount": retry_count,
    }


def caught(error: Exception) -> dict[str, str]:
    """What the state machine's Catch puts in $.failure for a Lambda error."""
    return {
        "Error": type(error).__name__,
        "Cause": json.dumps({"errorMessage": str(error), "errorType": type(error).__name__}),
    }


SHIPMENT = {
    "shipmentId": "S1",
    "shippedAt": "2026-11-25T08:00:00Z",
    "carrier": "DHL",
    "trackingNumber": "1Z",
    "trackingUrl": "https://t.example/1Z",
}


def order_operation(
    operation: OperationType, payload: dict[str, Any] | None = None, reference: str | None = None
) -> OperationMessage:
    """An operation of `operation`'s kind on order WEB-1, for the status rules (no AWS)."""
    return OperationMessage(
        operation_id="op",
        operation=operation,
        merchant_id="m",
        integration_id="erp",
        channel_id="shop",
        order_id="WEB-1",
        reference=reference,
        accepted_at=datetime.now(UTC),
        payload=payload or {},
    )


def order_state(status: OrderStatus, **changes: Any) -> OrderState:
    """Order WEB-1 as ordersync last saw it on the platform, paid 31.95."""
    return OrderState(
        merchant_id="m",
        integration_id="erp",
        channel_id="shop",
        order_id="WEB-1",
        status=status,
        paid_total=Decimal("31.95"),
        **changes,
    )


def bench_scenario(**overrides: Any) -> dict[str, Any]:
    """One order's measured profile, as the benchmark's cost and report code read it."""
    base = {
        "requests_by_service": {
            "API Gateway": 1.0,
            "Lambda": 2.0,
            "SQS": 3.0,
            "Step Functions": 1.0,
            "DynamoDB": 4.0,
            "SES": 0.0,
        },
        "lambda_invocations": {"DispatcherFunction": 1.0, "OrderCreateFunction": 1.0},
        "lambda_ms": {"DispatcherFunction": 250.0, "OrderCreateFunction": 100.0},
        "platform_calls": {"OrderCreateFunction": 2.0},
        "express_executions": 1.0,
        "execution_ms": [230.0],
        "transitions": 6.0,
        "dynamodb_units": {
            "read": 2.0,
            "write": 8.0,
            "index_write": 2.0,
            "by_table": {"HistoryTable": {"read": 0.0, "write": 8.0, "index_write": 2.0}},
        },
        "log_bytes": {"OrderCreateFunction": 600.0},
    }
    return {**base, **overrides}


def merchant_user(user_id: str, merchant_id: str, role: str, **permissions: bool) -> Any:
    """A merchant user's record (`ordersync.merchants.models.MerchantUser`)."""
    from ordersync.merchants.models import MerchantUser, Permissions, Role

    return MerchantUser(
        user_id=user_id,
        merchant_id=merchant_id,
        email=f"{user_id}@{merchant_id}.test",
        role=Role(role),
        permissions=Permissions(**permissions),
        created_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        updated_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )


def merchant_request(
    method: str,
    path: str,
    *,
    user_id: str | None = "u-admin",
    merchant_id: str = "demo-merchant",
    query: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """A payload-2.0 event as API Gateway hands a merchant route to the function, the JWT
    authorizer's verified claims naming `user_id` of `merchant_id` (no claims: `user_id` None,
    as for the open catalog). Repeated query keys arrive joined by commas, as API Gateway
    joins them."""
    from urllib.parse import urlencode

    event = load_event("merchant_api/me.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/dev{path}"
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {path}"
    event["rawQueryString"] = urlencode(query or {})
    if query:
        event["queryStringParameters"] = dict(query)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if user_id is None:
        del event["requestContext"]["authorizer"]
    else:
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
        claims.update({"sub": user_id, "custom:merchant_id": merchant_id})
    return event


def merchant_call(method: str, path: str, **request: Any) -> tuple[int, Any]:
    """The merchant function's answer to `merchant_request(method, path, **request)`: its
    status and its body read as JSON."""
    from local.lambdas import LambdaContext
    from ordersync.api.merchant_app import app

    answer = app.resolve(
        merchant_request(method, path, **request), LambdaContext("MerchantApiFunction", 10)
    )
    return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else None


def an_alert(code: str = "Missing Shipping Data", **changes: Any) -> Alert:
    """Order WEB-1's open alert of merchant m, for `code` (validated, as the store reads it)."""
    moment = datetime.now(UTC)
    values: dict[str, Any] = {
        "merchant_id": "m",
        "entity_key": "erp#shop#order#WEB-1",
        "integration_id": "erp",
        "channel_id": "shop",
        "identifier": "WEB-1",
        "operation_id": "op-1",
        "operation": "shipment",
        "status": "open",
        "attempts": 1,
        "next_step": "waiting for a person: edit and resend, or retry",
        "created_at": moment,
        "updated_at": moment,
        "outcome": outcome(code, order_id="WEB-1", reference="S-1", problems="carrier"),
    }
    return Alert.model_validate({**values, **changes})
