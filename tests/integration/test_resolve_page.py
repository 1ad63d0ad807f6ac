"""The resolve page on moto, through its handler as API Gateway calls it: a link shows its one
alert and the fields its code points at, acts once, and every bad link gets a plain 403 or 410
page."""

import importlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from local.lambdas import LambdaContext
from local.template import LocalTemplate
from ordersync.catalog.codes import outcome
from ordersync.core.aws import reset_clients
from ordersync.core.models import OperationMessage
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.notifications import tokens
from ordersync.operations.models import OperationStatus, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import delivery_summary, load_event, unique

page_function = importlib.import_module("functions.resolve_page.app")
SHIPMENT = {"shipmentId": "SHP-1", "shippedAt": "2026-11-25T08:00:00Z", "carrier": "DHL"}


def request(
    method: str, path: str, body: str = "", cookies: list[str] | None = None
) -> dict[str, Any]:
    event = {
        "version": "2.0",
        "routeKey": f"{method} {re.sub(r'/[^/]+$', '/{token}', path)}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
            },
            "requestId": "r",
            "routeKey": "",
            "stage": "$default",
        },
        "pathParameters": {"token": path.rsplit("/", 1)[1]},
        "body": body,
        "isBase64Encoded": False,
        **({"cookies": cookies} if cookies else {}),
    }
    return page_function.lambda_handler(
        event, LambdaContext(function_name="resolve_page", timeout_seconds=10)
    )


def csrf_of(answer: dict[str, Any]) -> tuple[list[str], str]:
    cookie = answer["cookies"][0].split(";", 1)[0]
    return [cookie], re.search(r'name="csrf" value="([^"]+)"', answer["body"])[1]


@pytest.fixture
def failed_shipment(stack, accepted, monkeypatch) -> Callable[[], tuple[OperationMessage, str]]:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://alerts.ordersync.test")
    reset_clients()

    def make() -> tuple[OperationMessage, str]:
        order_id = unique("WEB-")
        message = accepted(SHIPMENT, order_id=order_id, operation="shipment", reference="SHP-1")
        summary = delivery_summary(
            "Missing Shipping Data",
            order_id=order_id,
            reference="SHP-1",
            problems="a tracking number and a tracking URL",
        )
        record_outcome(WorkflowInput(message=message, delivery=summary))
        for step, sent in (("order", json.dumps(SHIPMENT)), ("callback", '{"status": "failed"}')):
            HistoryStore().append(
                HistoryRecord(
                    **message.names(),
                    direction="channel -> platform",
                    entity_key=message.entity_key,
                    attempt=1,
                    step=step,
                    outcome=outcome("Missing Shipping Data", order_id=order_id),
                    content_source=sent,
                    created_at=datetime.now(UTC),
                )
            )
        token = tokens.issue_resolve(message.merchant_id, message.entity_key, "ops@m.test")
        return message, token

    return make


def test_the_link_shows_its_alert_what_to_do_and_the_fields_to_fix(failed_shipment) -> None:
    message, token = failed_shipment()
    answer = request("GET", f"/resolve/{token}")
    assert answer["statusCode"] == 200
    body = answer["body"]
    assert f"Order {message.order_id}" in body
    assert "Missing Shipping Data" in body
    assert 'name="trackingNumber"' in body
    assert 'value="DHL"' in body  # the carrier the channel sent, ready to keep
    # The operation's own content, escaped, not its callback's (written after it).
    assert "&#34;shipmentId&#34;: &#34;SHP-1&#34;" in body
    assert "&#34;status&#34;: &#34;failed&#34;" not in body
    assert "<script" not in body
    headers = answer["headers"]
    assert headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'nonce-")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "HttpOnly" in answer["cookies"][0]
    assert "SameSite=Strict" in answer["cookies"][0]
    request("GET", f"/resolve/{token}")  # looking twice (a mail scanner) spends nothing
    assert tokens.check(token, tokens.RESOLVE).used_at is None


def test_resend_with_the_shipping_data_replaces_the_body_and_runs_it_again_once(
    failed_shipment, stack
) -> None:
    message, token = failed_shipment()
    cookies, csrf = csrf_of(request("GET", f"/resolve/{token}"))
    form = {
        "csrf": csrf,
        "action": "resend",
        "carrier": "DHL",
        "trackingNumber": "TRK-1",
        "trackingUrl": "https://track.example/TRK-1",
    }
    answer = request("POST", f"/resolve/{token}", urlencode(form), cookies)
    assert answer["statusCode"] == 200, answer["body"]
    assert "Resent with your changes" in answer["body"]
    operation = OperationStore().get(message.operation_id)
    assert operation.status is OperationStatus.PENDING
    assert stack.queue_depth() == 1
    again = request("POST", f"/resolve/{token}", urlencode(form), cookies)
    assert again["statusCode"] == 410
    assert "used already" in again["body"]
    assert stack.queue_depth() == 1


def test_a_resend_with_a_bad_field_lists_it_and_leaves_the_link_usable(failed_shipment) -> None:
    _, token = failed_shipment()
    cookies, csrf = csrf_of(request("GET", f"/resolve/{token}"))
    form = {"csrf": csrf, "action": "resend", "trackingUrl": "not a url"}
    answer = request("POST", f"/resolve/{token}", urlencode(form), cookies)
    assert answer["statusCode"] == 422
    assert "trackingUrl" in answer["body"]
    assert tokens.check(token, tokens.RESOLVE).used_at is None


def test_a_post_without_the_form_cookie_is_refused(failed_shipment, stack) -> None:
    _, token = failed_shipment()
    _, csrf = csrf_of(request("GET", f"/resolve/{token}"))
    answer = request("POST", f"/resolve/{token}", urlencode({"csrf": csrf, "action": "retry"}))
    assert answer["statusCode"] == 403
    assert stack.queue_depth() == 0


@pytest.mark.parametrize("change", ["tampered", "unknown", "garbage"])
def test_a_tampered_or_unknown_link_is_403_and_shows_nothing(failed_shipment, change) -> None:
    message, token = failed_shipment()
    bad = {
        "tampered": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "unknown": tokens.secrets.token_urlsafe(32),
        "garbage": "%3Cscript%3E",
    }[change]
    answer = request("GET", f"/resolve/{bad}")
    assert answer["statusCode"] == 403
    assert "This link is not valid." in answer["body"]
    assert message.order_id not in answer["body"]


def test_an_expired_link_is_410(failed_shipment, monkeypatch) -> None:
    message, token = failed_shipment()
    monkeypatch.setattr(tokens, "now", lambda: datetime.now(UTC) + timedelta(days=8))
    answer = request("GET", f"/resolve/{token}")
    assert answer["statusCode"] == 410
    assert "expired" in answer["body"]
    assert message.order_id not in answer["body"]


ORDER = load_event("requests/create_order.json")
BODIES: dict[str, tuple[dict[str, Any], str | None]] = {
    "create": (ORDER, None),
    "shipment": ({"shipmentId": "S1", "shippedAt": "2026-11-25T08:00:00Z"}, "S1"),
    "invoice": (
        {"invoiceNumber": "I1", "issuedAt": "2026-11-25T08:00:00Z", "currency": "EUR", "total": 1},
        "I1",
    ),
    "refund": ({"refundId": "R1", "amount": "5.00", "currency": "EUR"}, "R1"),
}


@pytest.mark.parametrize(
    ("code", "operation", "facts", "fields"),
    [
        (
            "Missing Shipping Data",
            "shipment",
            {"problems": "a carrier"},
            ["carrier", "trackingUrl"],
        ),
        ("Ship Method Mapping Missing", "create", {"detail": "EXPRESS"}, ["shippingMethod"]),
        (
            "Insufficient Data",
            "create",
            {"problems": "postalCode is missing"},
            ["shippingAddress.postalCode"],
        ),
        (
            "Order Creation Failed",
            "create",
            {"detail": "the shipping address is incomplete"},
            ["shippingAddress.line1", "shippingAddress.country"],
        ),
        ("Order Invoice Creation Failed", "invoice", {"detail": "bad total"}, ["total"]),
        ("Refund Creation Failed", "refund", {"detail": "amount too high"}, ["amount"]),
    ],
)
def test_each_codes_form_renders_the_fields_it_points_at(
    stack, accepted, monkeypatch, code, operation, facts, fields
) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://alerts.ordersync.test")
    reset_clients()
    body, reference = BODIES[operation]
    message = accepted(body, order_id=unique("WEB-"), operation=operation, reference=reference)
    summary = delivery_summary(code, order_id=message.order_id, reference=reference, **facts)
    record_outcome(WorkflowInput(message=message, delivery=summary))
    token = tokens.issue_resolve(message.merchant_id, message.entity_key, "ops@m.test")

    page = request("GET", f"/resolve/{token}")["body"]
    assert 'id="resend-form"' in page
    for name in fields:
        assert f'name="{name}"' in page, name
    assert 'name="orderId"' not in page


def test_the_page_opens_and_acts_with_only_the_variables_the_template_gives_it(
    failed_shipment, monkeypatch
) -> None:
    """The resolve page sits behind the HTTP API, so the template cannot give it the API's URL
    (the API's definition names the function: a cycle). Checking a link must not need it: it
    did once (the token ledger's settings required PUBLIC_BASE_URL), and on AWS every link
    was a 500 page, while the local stack, whose functions share one process's variables, hid
    it."""
    own = LocalTemplate.load().sam["Resources"]["ResolvePageFunction"]["Properties"]
    assert "PUBLIC_BASE_URL" not in own["Environment"]["Variables"]
    _, token = failed_shipment()
    monkeypatch.delenv("PUBLIC_BASE_URL")
    reset_clients()

    cookies, csrf = csrf_of(request("GET", f"/resolve/{token}"))
    answer = request(
        "POST", f"/resolve/{token}", urlencode({"csrf": csrf, "action": "ignore"}), cookies
    )
    assert answer["statusCode"] == 200, answer["body"]
