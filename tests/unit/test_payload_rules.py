"""What a channel may send, beyond the types: ids without control characters (an order id is also
a path segment on the platform), integers that are integers, moments in a sane window, money as
a plain decimal, and a grand total that is the sum of its parts. Every problem at once."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from local.lambdas import LambdaContext
from ordersync.api import app as api
from ordersync.api.problems import describe_problems
from ordersync.orders.payloads import (
    CreateOrderRequest,
    InvoiceRequest,
    RefundRequest,
    ShipmentRequest,
)
from tests.conftest import load_event


def problems(model, body):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {p["field"]: p for p in describe_problems(caught.value.errors())["problems"]}


@pytest.mark.parametrize(
    "order_id", ["WEB\x001", "WEB\r\n1", "WEB\n1", "..", ".", "a/b", "a\\b", "a b", "50%", "a?b"]
)
def test_an_order_id_is_one_printable_path_segment(order_request, order_id):
    assert "orderId" in problems(CreateOrderRequest, {**order_request, "orderId": order_id})


@pytest.mark.parametrize("order_id", ["WEB-10001", "111-2223334-5556667", "A.B", "1001", "…ü"])
def test_ordinary_order_ids_are_accepted(order_request, order_id):
    assert CreateOrderRequest.model_validate({**order_request, "orderId": order_id}).order_id


def test_references_and_skus_hold_no_control_characters(order_request):
    order_request["lines"][0]["sku"] = "TEA\x00"
    order_request["feedId"] = "feed\n2"
    found = problems(CreateOrderRequest, order_request)
    assert {"lines[0].sku", "feedId"} <= set(found)
    invoice = load_event("requests/invoice_order.json")
    assert "invoiceNumber" in problems(InvoiceRequest, {**invoice, "invoiceNumber": "INV\r1"})
    shipment = load_event("requests/ship_order.json")
    assert "shipmentId" in problems(ShipmentRequest, {**shipment, "shipmentId": "S\x1b1"})
    refund = load_event("requests/refund_order.json")
    assert "refundId" in problems(RefundRequest, {**refund, "refundId": "R\n1"})


@pytest.mark.parametrize("quantity", [True, False, 1.0, "2"])
def test_a_quantity_is_a_json_integer_not_a_boolean_or_a_float(order_request, quantity):
    order_request["lines"][1]["quantity"] = quantity
    assert "lines[1].quantity" in problems(CreateOrderRequest, order_request)


@pytest.mark.parametrize("placed_at", ["0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z"])
def test_placed_at_before_2000_is_refused(order_request, placed_at):
    found = problems(CreateOrderRequest, {**order_request, "placedAt": placed_at})
    assert "2000" in found["placedAt"]["problem"]


def test_placed_at_more_than_a_day_ahead_is_refused(order_request):
    ahead = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert "placedAt" in problems(CreateOrderRequest, {**order_request, "placedAt": ahead})
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    assert CreateOrderRequest.model_validate({**order_request, "placedAt": soon})


def test_a_moment_needs_its_time_zone(order_request):
    found = problems(CreateOrderRequest, {**order_request, "placedAt": "2026-11-24T09:30:00"})
    assert "placedAt" in found


@pytest.mark.parametrize("amount", [True, "1e3", " 1.50", "+1.50", "1,50", "NaN", "-1.00", "1."])
def test_money_is_a_plain_decimal(order_request, amount):
    assert "shippingTotal" in problems(
        CreateOrderRequest, {**order_request, "shippingTotal": amount}
    )


def test_a_grand_total_that_disagrees_with_its_lines_is_refused(order_request):
    found = problems(CreateOrderRequest, {**order_request, "grandTotal": "1.00"})
    assert found["grandTotal"]["type"] == "grand_total_mismatch"
    assert "31.95" in found["grandTotal"]["problem"]


def test_the_grand_total_rule_counts_shipping_tax_discount_and_rounding(order_request):
    # lines 27.00 + shipping 4.95 + tax 5.40 - discount 2.00 = 35.35
    order = {**order_request, "taxTotal": "5.40", "discountTotal": "2.00", "grandTotal": "35.35"}
    assert CreateOrderRequest.model_validate(order)
    # a cent per line of rounding (two lines here) is allowed, more is not
    assert CreateOrderRequest.model_validate({**order, "grandTotal": "35.37"})
    assert "grandTotal" in problems(CreateOrderRequest, {**order, "grandTotal": "35.38"})
    # prices that include tax: the tax is already in the lines
    inclusive = {**order, "pricesIncludeTax": True, "grandTotal": "29.95"}
    assert CreateOrderRequest.model_validate(inclusive)


def test_every_rule_is_reported_at_once(order_request):
    order_request |= {"orderId": "..", "placedAt": "0001-01-01T00:00:00Z", "grandTotal": "1.00"}
    order_request["lines"][0]["quantity"] = True
    found = problems(CreateOrderRequest, order_request)
    assert {"orderId", "placedAt", "lines[0].quantity"} <= set(found)


def _resolve(name, body=None, order_id=None):
    event = load_event(f"api/{name}.json")
    if body is not None:
        event["body"] = json.dumps(body)
    if order_id is not None:
        event["pathParameters"]["orderId"] = order_id
        event["rawPath"] = event["rawPath"].replace("WEB-10001", order_id)
        event["requestContext"]["http"]["path"] = event["rawPath"]
    answer = api.app.resolve(event, LambdaContext("ApiFunction", 10))
    return answer["statusCode"], json.loads(answer["body"])


def test_the_api_refuses_a_bad_order_with_every_problem(order_request):
    order_request |= {"orderId": "WEB\r\n1", "placedAt": "0001-01-01T00:00:00Z"}
    order_request["lines"][0]["quantity"] = True
    order_request["grandTotal"] = "99.00"
    status, body = _resolve("create_order", order_request)
    assert status == 422
    fields = {problem["field"] for problem in body["problems"]}
    assert fields == {"orderId", "placedAt", "lines[0].quantity"}


def test_the_api_refuses_a_grand_total_that_disagrees(order_request):
    status, body = _resolve("create_order", {**order_request, "grandTotal": "99.00"})
    assert status == 422
    assert [p["field"] for p in body["problems"]] == ["grandTotal"]


@pytest.mark.parametrize("order_id", ["..", ".", "WEB%0A1", "WEB%2F1"])
def test_the_api_refuses_an_order_id_in_the_path_that_is_not_one_segment(order_id):
    status, body = _resolve("invoice_order", order_id=order_id)
    assert status == 422, body
    assert [p["field"] for p in body["problems"]] == ["orderId"]
