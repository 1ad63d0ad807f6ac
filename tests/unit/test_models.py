import pytest
from pydantic import ValidationError

from ordersync.api.problems import describe_problems
from ordersync.core.models import OperationMessage, entity_key
from ordersync.orders.payloads import CreateOrderRequest


def test_the_sample_order_is_valid(order_request):
    order = CreateOrderRequest.model_validate(order_request)
    assert order.order_id == "WEB-10001"
    assert len(order.lines) == 2


def test_every_problem_is_reported_at_once(order_request):
    order_request["currency"] = "euro"
    order_request["customer"]["email"] = "not-an-email"
    order_request["lines"][1]["quantity"] = 0
    del order_request["grandTotal"]
    order_request["colour"] = "blue"
    with pytest.raises(ValidationError) as caught:
        CreateOrderRequest.model_validate(order_request)
    body = describe_problems(caught.value.errors())
    fields = {problem["field"] for problem in body["problems"]}
    assert fields == {"currency", "customer.email", "lines[1].quantity", "grandTotal", "colour"}
    assert body["message"].startswith("the request has 5 problems")


def test_empty_order_lines_are_refused(order_request):
    order_request["lines"] = []
    with pytest.raises(ValidationError, match="lines"):
        CreateOrderRequest.model_validate(order_request)


def test_problem_fields_drop_the_request_part():
    body = describe_problems(
        [{"loc": ("body", "lines", 0, "sku"), "msg": "Field required", "type": "missing"}]
    )
    assert body["problems"] == [
        {"field": "lines[0].sku", "problem": "Field required", "type": "missing"}
    ]


def test_an_operation_message_names_its_entity(order_request):
    message = OperationMessage.model_validate(
        {
            "operationId": "op-1",
            "operation": "create",
            "merchantId": "m",
            "integrationId": "erp",
            "channelId": "shop",
            "orderId": "WEB-1",
            "acceptedAt": "2026-11-24T10:00:00Z",
            "payload": order_request,
        }
    )
    assert message.entity_key == entity_key("erp", "order", "WEB-1", channel_id="shop")
    assert message.entity_key == "erp#shop#order#WEB-1", "an order belongs to its channel"
    assert message.external_order_id == "shop.WEB-1", "the platform keeps channels apart"
