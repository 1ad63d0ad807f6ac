"""A merchant works through failed orders on the local stack, as the README says: the platform
rejects some orders, the rejection stops (the fault is spent), the operator bulk-retries them
by filter, and they end synced with their alerts resolved and the retry in their history. The
viewer cannot act and another merchant cannot see the alerts."""

import time

from ordersync.alerts.ids import alert_id
from ordersync.core.models import entity_key
from tests.factories import new_order, unique

OPERATOR, VIEWER = "operator@demo-merchant.test", "viewer@demo-merchant.test"
OTHER_ADMIN = "admin@other-merchant.test"


def until(what: str, check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.3)


def test_rejected_orders_bulk_retried_by_filter_end_synced(local_stack, order_request):
    feed = unique("feed-")
    orders = [new_order(order_request, feedId=feed) for _ in range(3)]
    for order in orders:
        # The platform rejects each order once; the retry that follows finds no fault.
        local_stack.set_faults(
            {
                "kind": "reject",
                "message": "customer blocked",
                "orderId": f"demo-shop.{order['orderId']}",
            }
        )
    operations = []
    for order in orders:
        answer = local_stack.channel.post("/v1/orders", json=order)
        assert answer.status_code == 202, answer.text
        operations.append(answer.json()["operationId"])
    for operation_id in operations:
        failed = local_stack.wait_for(operation_id, {"failed"})
        assert failed["alert"]["status"] == "open"
        assert failed["lastResponse"]["retryClass"] == "needs action"
    ids = [
        alert_id(entity_key("demo-erp", "order", o["orderId"], channel_id="demo-shop"))
        for o in orders
    ]

    viewer, other = local_stack.user(VIEWER), local_stack.user(OTHER_ADMIN)
    refused = viewer.post(f"/v1/alerts/{ids[0]}/retry")
    assert refused.status_code == 403
    assert "viewer" in refused.json()["message"]
    assert (
        viewer.post(
            "/v1/alerts/bulk", json={"action": "retry", "filter": {"feedId": feed}}
        ).status_code
        == 403
    )
    assert other.post(f"/v1/alerts/{ids[0]}/retry").status_code == 403  # not granted, anywhere

    operator = local_stack.user(OPERATOR)
    started = operator.post(
        "/v1/alerts/bulk", json={"action": "retry", "filter": {"feedId": feed, "status": "failed"}}
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["jobId"]
    assert other.get(f"/v1/alerts/bulk/{job_id}").status_code == 404
    job = until(
        "the bulk job finished",
        lambda: (
            (j := operator.get(f"/v1/alerts/bulk/{job_id}").json())["status"] == "finished" and j
        ),
    )
    assert (job["matched"], job["done"], job["refused"], job["notFound"]) == (3, 3, 0, 0)

    for operation_id in operations:
        synced = local_stack.wait_for(operation_id, {"synced"})
        assert synced["alert"]["status"] == "resolved"
        actions = [r for r in synced["history"] if r["step"] == "action"]
        assert [(a["actor"], a["outcome"]["code"]) for a in actions] == [
            (OPERATOR, "Retry Requested")
        ]
    # Retrying again is refused: the alerts are resolved.
    again = operator.post("/v1/alerts/bulk", json={"action": "retry", "ids": ids})
    assert again.status_code == 200
    assert again.json()["refused"] == 3
    effects = local_stack.platform_stats()["effectsByKey"]
    assert [effects[f"create:demo-shop.{o['orderId']}"] for o in orders] == [1, 1, 1]


def test_an_admin_acts_only_once_granted_and_not_after_the_grant_is_revoked(
    local_stack, order_request
):
    order = new_order(order_request)
    local_stack.set_faults(
        {"kind": "reject", "message": "blocked", "orderId": f"demo-shop.{order['orderId']}"}
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]
    local_stack.wait_for(operation_id, {"failed"})
    alert = alert_id(entity_key("demo-erp", "order", order["orderId"], channel_id="demo-shop"))
    admin = local_stack.user("admin@demo-merchant.test")
    me = admin.get("/v1/me").json()
    refused = admin.post(f"/v1/alerts/{alert}/ignore")
    assert refused.status_code == 403
    assert "until an admin grants them" in refused.json()["message"]
    grant = {"permissions": {"orderSync": True}}
    assert admin.put(f"/v1/users/{me['userId']}", json=grant).status_code == 200
    try:
        done = admin.post(f"/v1/alerts/{alert}/ignore")
        assert done.status_code == 200, done.text
        assert (done.json()["ignored"], done.json()["by"]) == (True, "admin@demo-merchant.test")
    finally:
        revoke = {"permissions": {"orderSync": False}}
        assert admin.put(f"/v1/users/{me['userId']}", json=revoke).status_code == 200
    assert admin.post(f"/v1/alerts/{alert}/unignore").status_code == 403
