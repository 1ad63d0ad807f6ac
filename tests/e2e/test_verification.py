"""A platform that accepts for later (202) confirms over POST /v1/callbacks/{operationId}."""

import uuid


def test_an_accepted_order_waits_for_the_platforms_signed_confirmation(local_stack, order_request):
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    local_stack.set_faults(
        {
            "kind": "accept_async",
            "orderId": f"demo-shop.{order['orderId']}",
            "path": "/orders",
            "after": 1.5,
        }
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]

    waiting = local_stack.wait_for(operation_id, {"pending_verification"}, seconds=30)
    assert waiting["lastResponse"]["code"] == "Pending Verification"
    local_stack.wait_for(operation_id, {"synced"}, seconds=30)
    # The status changes first (the one confirmation that wins), then its record is written.
    confirmed = local_stack.wait_for_step(operation_id, "verification", seconds=30)

    assert confirmed["status"] == "synced"
    assert confirmed["lastResponse"]["code"] == "Order Created"
    assert confirmed["alert"]["status"] == "resolved"


def test_a_rejection_after_acceptance_opens_an_alert(local_stack, order_request):
    order = {**order_request, "orderId": f"WEB-{uuid.uuid4().hex[:10]}"}
    local_stack.set_faults(
        {
            "kind": "accept_async",
            "orderId": f"demo-shop.{order['orderId']}",
            "path": "/orders",
            "confirm": "rejected",
            "reason": "customer on credit hold",
            "after": 0.5,
        }
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]

    failed = local_stack.wait_for(operation_id, {"failed"}, seconds=30)

    assert failed["lastResponse"]["code"] == "Verification Rejected"
    assert "credit hold" in failed["alert"]["outcome"]["businessMessage"]
    assert failed["alert"]["status"] == "open"
