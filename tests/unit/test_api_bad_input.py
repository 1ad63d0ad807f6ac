"""A client's malformed request is the client's mistake: a 4xx in the API's error body shape that
says what is wrong, never a 500. Checked before anything is looked up or stored (no AWS here)."""

import base64
import json

import pytest

from local.lambdas import LambdaContext
from ordersync.api import app as api
from ordersync.api import merchant_app
from tests.conftest import load_event

NOT_UTF8 = b'{"orderId": "WEB-\xff\xfe"}'
DEEP = "[" * 10_000 + "]" * 10_000


def resolve(event):
    answer = api.app.resolve(event, LambdaContext("ApiFunction", 10))
    return answer["statusCode"], json.loads(answer["body"])


def binary(event, raw: bytes):
    event["body"] = base64.b64encode(raw).decode()
    event["isBase64Encoded"] = True
    return event


def assert_client_error(status, body, *, expected, mentions):
    assert status == expected, body
    assert body["statusCode"] == status
    assert mentions in body["message"]


@pytest.mark.parametrize("route", ["create_order.json", "cancel_order.json", "ship_order.json"])
def test_a_body_that_is_not_utf8_is_a_400_on_order_routes(route):
    status, body = resolve(binary(load_event(f"api/{route}"), NOT_UTF8))
    assert_client_error(status, body, expected=400, mentions="UTF-8")


def test_a_body_that_is_not_base64_although_flagged_so_is_a_400():
    event = load_event("api/create_order.json")
    event["body"], event["isBase64Encoded"] = "not base64!", True
    status, body = resolve(event)
    assert_client_error(status, body, expected=400, mentions="base64")


def test_a_base64_utf8_body_is_read_as_any_other():
    event = load_event("api/create_order.json")
    event["body"] = json.dumps({"orderId": ""})
    status, body = resolve(binary(event, event["body"].encode()))
    assert status == 422, body  # the body was read and validated, not refused as unreadable


def test_json_nested_ten_thousand_deep_is_a_400():
    event = load_event("api/create_order.json")
    event["body"] = DEEP
    status, body = resolve(event)
    assert_client_error(status, body, expected=400, mentions="nested")


def test_a_number_too_long_to_read_is_a_400():
    event = load_event("api/create_order.json")
    event["body"] = '{"grandTotal": ' + "9" * 5000 + "}"
    status, body = resolve(event)
    assert_client_error(status, body, expected=400, mentions="JSON")


def test_a_body_that_is_not_json_is_a_422_listing_it():
    event = load_event("api/create_order.json")
    event["body"] = "{not json"
    status, body = resolve(event)
    assert status == 422, body
    assert body["problems"][0]["type"] == "json_invalid"


def test_an_unsupported_content_type_is_a_415():
    event = load_event("api/create_order.json")
    event["headers"]["content-type"] = "text/csv"
    status, body = resolve(event)
    assert_client_error(status, body, expected=415, mentions="application/json")


@pytest.mark.parametrize("sent", ["multipart/form-data", "multipart/form-data; charset=utf-8"])
def test_a_multipart_body_on_a_json_route_is_a_415(sent):
    # Found by schemathesis: multipart without a boundary made powertools raise a ValueError (500).
    event = load_event("api/create_order.json")
    event["headers"]["content-type"] = sent
    status, body = resolve(event)
    assert_client_error(status, body, expected=415, mentions="application/json")


def test_a_callback_whose_body_is_not_utf8_is_refused_before_any_check():
    event = binary(load_event("api/confirm_operation.json"), NOT_UTF8)
    del event["headers"]["x-ordersync-signature"]
    status, body = resolve(event)
    # Unsigned: refused as such before the body is read or anything is looked up.
    assert_client_error(status, body, expected=401, mentions="X-Ordersync-Signature")


def test_a_callback_whose_body_is_not_base64_although_flagged_so_is_a_400():
    event = load_event("api/confirm_operation.json")
    event["body"], event["isBase64Encoded"] = "not base64!", True
    status, body = resolve(event)
    assert_client_error(status, body, expected=400, mentions="base64")


@pytest.mark.parametrize("stamp", ["\uff11\uff12\uff13", "\u00b2", "1" * 5000, "-5", " 12"])
def test_a_callback_timestamp_that_is_not_ascii_digits_is_a_400(stamp):
    event = load_event("api/confirm_operation.json")
    event["headers"]["x-ordersync-timestamp"] = stamp
    event["headers"]["x-ordersync-signature"] = "v1=" + "0" * 64
    status, body = resolve(event)
    assert_client_error(status, body, expected=400, mentions="X-Ordersync-Timestamp")


@pytest.mark.parametrize(
    "signature", ["v1=\uff46\uff46", "v1=zz", "sha256=abc", "v1=" + "\u00e9" * 64]
)
def test_a_callback_signature_that_is_not_hex_is_a_400(signature):
    event = load_event("api/confirm_operation.json")
    event["headers"]["x-ordersync-timestamp"] = "1795512600"
    event["headers"]["x-ordersync-signature"] = signature
    status, body = resolve(event)
    assert_client_error(status, body, expected=400, mentions="X-Ordersync-Signature")


@pytest.mark.parametrize(
    ("method", "path", "expected", "allow"),
    [
        ("TRACE", "/dev/v1/orders", 405, "POST"),
        ("GET", "/dev/v1/orders/WEB-1/cancel", 405, "POST"),
        ("DELETE", "/dev/v1/users/u-1", 405, "PUT"),  # a merchant route: the table has both
        ("QUERY", "/dev/health", 405, "GET"),
        ("GET", "/dev/v1/nothing-here", 404, None),
    ],
)
def test_what_no_route_takes_is_405_with_allow_or_404(method, path, expected, allow):
    # Found by schemathesis: TRACE answered 501 locally, and API Gateway alone answers 404 to a
    # known path asked with another method; the catch-all route brings both here.
    event = load_event("api/unrouted.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    answer = api.app.resolve(event, LambdaContext("ApiFunction", 10))
    body = json.loads(answer["body"])
    assert (answer["statusCode"], body["statusCode"]) == (expected, expected), body
    assert answer["headers"].get("Allow") == allow


def merchant_answer(name: str, **changes):
    event = {**load_event(f"merchant_api/{name}.json"), **changes.pop("event", {})}
    event["headers"] = {**event["headers"], **changes.pop("headers", {})}
    answer = merchant_app.app.resolve(event, LambdaContext("MerchantApiFunction", 10))
    return answer["statusCode"], json.loads(answer["body"])["message"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"event": {"body": base64.b64encode(NOT_UTF8).decode(), "isBase64Encoded": True}}, 400),
        ({"event": {"body": "[" * 40 + "]" * 40}}, 400),
        ({"headers": {"content-type": "text/plain"}}, 415),
        ({"headers": {"content-type": "multipart/form-data"}}, 415),
    ],
)
def test_a_merchant_body_that_cannot_be_read_as_json_is_a_4xx_not_a_500(changes, expected):
    # Found by schemathesis: the merchant app lacked the channel app's body handlers, and
    # multipart without a boundary made powertools raise a bare ValueError.
    status, message = merchant_answer("invite_user", **changes)
    assert status == expected, message


@pytest.mark.parametrize("order_id", ["WEB¦1", 'a"b', "Ø;1", "x|y"])
def test_an_order_id_of_any_printable_characters_is_routed(order_id, monkeypatch):
    from aws_lambda_powertools.event_handler import Response

    from ordersync.api import orders

    reached = []
    monkeypatch.setattr(
        orders, "_accept", lambda op, oid, body, **_: reached.append(oid) or Response(202)
    )
    # Found by schemathesis: an HTTP API hands over the decoded path, and powertools' segment
    # pattern did not route "¦" or '"' at all (404, or 405 past the catch-all).
    event = load_event("api/cancel_order.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/dev/v1/orders/{order_id}/cancel"
    event["pathParameters"] = {"orderId": order_id}
    api.app.resolve(event, LambdaContext("ApiFunction", 10))
    assert reached == [order_id]
