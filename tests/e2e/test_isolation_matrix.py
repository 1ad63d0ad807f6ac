"""Tenant isolation on the local stack, through its front door (the channel authorizer and the
JWT authorizer as API Gateway runs them): every route by every caller of the demo merchant
(admin, operator, viewer, its channel's credential, nobody) by the other merchant's ids (its
order, operation, alert and user). Each answer is a refusal (401, 403, 404), or an answer about
the caller's own data, and never carries anything of the other merchant's.

The routes and their samples are tests/isolation.py's tables (every route of both resolvers and
of the template; a route without a sample fails tests/unit/test_isolation_routes.py)."""

import json
from typing import Any

import httpx
import pytest

from local.seed import DEMO_CREDENTIAL, OTHER_CHANNEL, OTHER_CREDENTIAL
from tests.factories import load_event, new_order
from tests.isolation import MARKERS, ROLES, SAMPLES, USER_EMAILS, Route, every_route, fill

REFUSED = {401, 403, 404}


@pytest.fixture(scope="module")
def other(local_stack) -> dict[str, str]:
    """The other merchant's ids: an order its channel sent (refused by the platform, so it has
    an open alert), that order's operation, the alert, and its admin's user id."""
    order = new_order(load_event("requests/create_order.json"))
    local_stack.set_faults(
        {"kind": "reject", "message": "no", "orderId": f"{OTHER_CHANNEL}.{order['orderId']}"}
    )
    channel = local_stack.client(OTHER_CREDENTIAL)
    operation = channel.post("/v1/orders", json=order).json()["operationId"]
    local_stack.wait_for(operation, {"failed"}, client=channel)
    admin = local_stack.user("admin@other-merchant.test")
    [alert] = admin.get("/v1/alerts", params={"identifier": order["orderId"]}).json()["items"]
    [user] = admin.get("/v1/users").json()["users"]
    # A bulk job of the other merchant's: its admin grants themselves the actions first.
    granted = {"role": "admin", "permissions": {"orderSync": True}}
    assert admin.put(f"/v1/users/{user['userId']}", json=granted).status_code == 200
    nothing = {"action": "unignore", "filter": {"identifier": "no-such-order"}}
    job = admin.post("/v1/alerts/bulk", json=nothing).json()["jobId"]
    # What the matrix must never show: the other merchant does hold these.
    assert admin.get(f"/v1/alerts/{alert['alertId']}").json()["channel"] == OTHER_CHANNEL
    assert admin.get(f"/v1/orders/{order['orderId']}/history").status_code == 200
    return {
        "order": order["orderId"],
        "operation": operation,
        "alert": alert["alertId"],
        "user": user["userId"],
        "job": job,
    }


@pytest.fixture(scope="module")
def callers(local_stack) -> dict[str, httpx.Client]:
    clients = {role: local_stack.user(email) for role, email in USER_EMAILS.items()}
    clients["channel"] = local_stack.client(DEMO_CREDENTIAL)
    clients["none"] = httpx.Client(base_url=local_stack.url, timeout=30)
    return clients


def expected(route: Route, role: str) -> set[int] | None:
    """The statuses the front door or the function must answer; None: any answer about the
    caller's own data (checked for markers and server errors only)."""
    sample = SAMPLES[(route.method, route.path)]
    if route.authorizer is None:
        return None
    if role == "none":
        return {401}
    if route.authorizer == "MerchantAuthorizer" and role == "channel":
        return {401}  # not a JWT
    if route.authorizer == "ChannelAuthorizer" and role != "channel":
        return {403}  # the channel authorizer knows no such credential
    if "{" in route.path and not sample.own_namespace:
        return REFUSED - {401}
    return None


def answer(client: httpx.Client, route: Route, ids: dict[str, str]) -> httpx.Response:
    sample = SAMPLES[(route.method, route.path)]
    request: dict[str, Any] = {"params": {k: fill(v, ids) for k, v in sample.query.items()}}
    if sample.body is not None:
        request["json"] = json.loads(fill(json.dumps(sample.body), ids))
    return client.request(route.method, fill(route.path, ids), **request)


def test_no_caller_of_one_merchant_reaches_the_other_merchant_s_data(other, callers):
    wrong = []
    tried = 0
    for route in every_route():
        for role in ROLES:
            got = answer(callers[role], route, other)
            tried += 1
            statuses = expected(route, role)
            leaked = [marker for marker in MARKERS if marker in got.text]
            if got.status_code >= 500 or leaked or (statuses and got.status_code not in statuses):
                wrong.append(
                    (route.method, route.path, role, got.status_code, leaked, got.text[:200])
                )
    assert wrong == []
    assert tried == len(every_route()) * len(ROLES)


def test_the_demo_merchant_s_answers_name_none_of_the_other_s_records(other, callers):
    """The lists answer 200 to demo's users, with nothing of the other's order in them."""
    for role in ("admin", "operator", "viewer"):
        for path in ("/v1/alerts", "/v1/history"):
            page = callers[role].get(path, params={"identifier": other["order"]})
            assert page.status_code == 200, (role, path, page.text)
            assert page.json()["items"] == []
