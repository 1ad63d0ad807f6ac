"""A merchant's lists on the local stack, as the README tells a new user to try them: sign in,
make the simulated platform refuse some orders and warn about another, then find them by code,
level and date, open one alert, and read one order's story. The other merchant sees none."""

from datetime import UTC, datetime, timedelta

from tests.factories import new_order


def ours(rows: list[dict], orders: set[str]) -> set[str]:
    return {row["orderId"] for row in rows if row["orderId"] in orders}


def test_failing_orders_are_listed_by_code_level_and_date(local_stack, order_request):
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    rejected = [new_order(order_request) for _ in range(2)]
    warned = new_order(order_request)
    local_stack.set_faults(
        *(
            {
                "kind": "reject",
                "message": "SKU unknown",
                "code": "E-SKU",
                "orderId": f"demo-shop.{order['orderId']}",
            }
            for order in rejected
        ),
        {
            "kind": "warn",
            "code": "SKU_NOT_FOUND",
            "warnings": ["MUG-9"],
            "orderId": f"demo-shop.{warned['orderId']}",
        },
    )
    operations = [
        local_stack.channel.post("/v1/orders", json=o).json()["operationId"]
        for o in (*rejected, warned)
    ]
    for operation in operations:
        local_stack.wait_for(operation, {"failed", "synced"})
    names = {o["orderId"] for o in (*rejected, warned)}
    refused = {o["orderId"] for o in rejected}
    viewer = local_stack.user("viewer@demo-merchant.test")

    by_code = viewer.get(
        "/v1/alerts", params={"code": "Order Creation Failed", "createdAfter": since}
    )
    assert by_code.status_code == 200, by_code.text
    rows = by_code.json()["items"]
    assert ours(rows, names) == refused
    assert {row["code"] for row in rows} == {"Order Creation Failed"}
    assert all(row["createdAt"] >= since[:19] for row in rows)

    errors = viewer.get("/v1/alerts", params={"level": "error", "createdAfter": since}).json()
    assert ours(errors["items"], names) == refused
    warnings = viewer.get("/v1/alerts", params={"level": "warning", "createdAfter": since})
    assert ours(warnings.json()["items"], names) == {warned["orderId"]}
    before = viewer.get("/v1/alerts", params={"createdBefore": since, "limit": "200"}).json()
    assert ours(before["items"], names) == set()

    history = viewer.get(
        "/v1/history", params={"level": "error", "createdAfter": since, "columns": "orderId,code"}
    ).json()["items"]
    assert ours(history, names) == refused
    assert all(set(row) == {"orderId", "code"} for row in history)

    [row] = [r for r in rows if r["orderId"] == rejected[0]["orderId"]]
    alert = viewer.get(f"/v1/alerts/{row['alertId']}").json()
    assert (alert["status"], alert["systemCode"], alert["retryClass"]) == (
        "open",
        "E-SKU",
        "needs action",
    )
    story = viewer.get(f"/v1/orders/{rejected[0]['orderId']}/history").json()
    records = story["items"]
    assert [r["createdAt"] for r in records] == sorted(r["createdAt"] for r in records)
    assert records[0]["step"] == "customer"  # the customer is looked up before the order
    [order] = [r for r in records if r["step"] == "order"]
    assert order["code"] == "Order Creation Failed"
    assert order["contentSource"]  # what the channel sent, as it was received
    assert "SKU unknown" in order["contentDestination"]  # what the platform answered

    other = local_stack.user("admin@other-merchant.test")
    theirs = other.get("/v1/alerts", params={"createdAfter": since, "limit": "200"}).json()
    assert ours(theirs["items"], names) == set()
    assert other.get(f"/v1/alerts/{row['alertId']}").status_code == 404
    assert other.get(f"/v1/orders/{rejected[0]['orderId']}/history").status_code == 404


def test_a_bad_list_query_is_a_422_with_every_problem_and_no_token_a_401(local_stack):
    viewer = local_stack.user("viewer@demo-merchant.test")
    answer = viewer.get("/v1/alerts", params={"level": "loud", "limit": "1000", "merchant": "x"})
    assert answer.status_code == 422
    assert sorted(p["field"] for p in answer.json()["problems"]) == ["level", "limit", "merchant"]
    assert local_stack.channel.get("/v1/alerts").status_code == 401
