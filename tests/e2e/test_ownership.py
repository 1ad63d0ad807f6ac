"""An order belongs to (merchant, channel, order id): two channels of one merchant that use the
same order id have two orders, on ordersync and on the platform, and neither channel can act on
or read the other's."""

import uuid

import httpx

from local.platform import DEMO_TOKEN
from local.seed import MARKETPLACE_CHANNEL, MARKETPLACE_CREDENTIAL
from tests.conftest import load_event


def _post(client, path, body):
    response = client.post(path, json=body)
    assert response.status_code == 202, response.text
    return response.json()["operationId"]


def test_a_second_channel_with_the_same_order_id_cannot_touch_the_first_channels_order(
    local_stack, order_request
):
    order_id = f"WEB-{uuid.uuid4().hex[:10]}"
    shop = local_stack.channel
    marketplace = httpx.Client(
        base_url=local_stack.url,
        headers={"Authorization": f"Bearer {MARKETPLACE_CREDENTIAL}"},
        timeout=30,
    )
    created = _post(shop, "/v1/orders", {**order_request, "orderId": order_id})
    assert local_stack.wait_for(created, {"synced"})["lastResponse"]["code"] == "Order Created"

    # The marketplace sends the same order id with another customer and other totals.
    other = {
        **order_request,
        "orderId": order_id,
        "customer": {"email": "mallory@example.com", "firstName": "Mal", "lastName": "Lory"},
        "lines": [{"sku": "MUG-WHITE", "quantity": 1, "unitPrice": "12.00"}],
        "shippingTotal": "0",
        "grandTotal": "12.00",
    }
    theirs = _post(marketplace, "/v1/orders", other)
    assert theirs != created
    done = local_stack.wait_for(theirs, {"synced", "failed"}, client=marketplace)
    assert done["lastResponse"]["code"] == "Order Created", done["lastResponse"]
    follow_ups = [
        ("invoice", {**load_event("requests/invoice_order.json"), "total": "12.00"}),
        ("shipment", {**load_event("requests/ship_order.json"), "shipmentId": "SHP-MKT"}),
        ("refund", {**load_event("requests/refund_order.json"), "refundId": "RF-MKT"}),
    ]
    for operation, body in follow_ups:
        operation_id = _post(marketplace, f"/v1/orders/{order_id}/{operation}", body)
        local_stack.wait_for(operation_id, {"synced"}, client=marketplace)

    # The first channel's order on the platform is as it sent it.
    platform = httpx.Client(
        base_url=local_stack.platform_url,
        headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
        timeout=10,
    )
    stats = local_stack.platform_stats()["effectsByKey"]
    assert f"update:demo-shop.{order_id}" not in stats, "the first channel's order was not updated"
    shop_order = platform.get(f"/orders/demo-shop.{order_id}").json()
    assert shop_order["order"]["channel"] == "demo-shop"
    assert shop_order["order"]["customer"]["email"] == order_request["customer"]["email"]
    assert shop_order["order"]["grandTotal"] == order_request["grandTotal"]
    assert shop_order["invoices"] == []
    assert shop_order["shipments"] == []
    assert shop_order["refunds"] == []
    theirs_on_platform = platform.get(f"/orders/{MARKETPLACE_CHANNEL}.{order_id}").json()
    assert theirs_on_platform["shipments"] == ["SHP-MKT"]
    assert theirs_on_platform["id"] != shop_order["id"]

    # The first channel's own invoice is its first, not a repeat.
    invoice = _post(
        shop, f"/v1/orders/{order_id}/invoice", load_event("requests/invoice_order.json")
    )
    synced = local_stack.wait_for(invoice, {"synced", "failed"})
    assert synced["lastResponse"]["code"] == "Order Invoice Created", synced["lastResponse"]

    # And what the first channel reads of its order shows nothing of the other channel's.
    seen = shop.get(f"/v1/operations/{created}").json()
    text = str(seen)
    for other_channels in ("SHP-MKT", "RF-MKT", "mallory", MARKETPLACE_CHANNEL):
        assert other_channels not in text
    assert seen["alert"]["channelId"] == "demo-shop"
    assert {record["channelId"] for record in seen["history"]} == {"demo-shop"}
    assert shop.get(f"/v1/operations/{theirs}").status_code == 404
    assert MARKETPLACE_CHANNEL in str(marketplace.get(f"/v1/operations/{theirs}").json())
