"""One order through the whole local stack: front door, authorizer, API, SQS, dispatcher,
Express workflow, order_create, simulated platform, history and alert."""

import json

import httpx
import pytest

from local.process import start
from local.seed import DEMO_CHANNEL, DEMO_MERCHANT, MARKETPLACE_CREDENTIAL
from ordersync.core.models import OperationType
from ordersync.operations.intake import operation_id_for
from tests.factories import new_order


def nothing_recorded_for(local_stack, order) -> None:
    """The operation this order would have become (its id is derived from channel, operation
    and order) does not exist: the API records an operation before it queues it, and answers
    only after both, so there is nothing to wait for."""
    operation_id = operation_id_for(
        DEMO_MERCHANT, DEMO_CHANNEL, OperationType.CREATE, order["orderId"]
    )
    assert local_stack.channel.get(f"/v1/operations/{operation_id}").status_code == 404


def test_health_answers(local_stack):
    assert httpx.get(f"{local_stack.url}/health").json() == {"status": "ok"}


def test_an_order_is_accepted_then_synced_with_history_and_a_success_alert(
    local_stack, order_request
):
    order = new_order(order_request)
    response = local_stack.channel.post("/v1/orders", json=order)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"

    operation = local_stack.wait_for(body["operationId"], {"synced"}, seconds=30)
    assert operation["attempts"] == 1
    assert operation["lastResponse"]["code"] == "Order Created"
    assert operation["lastResponse"]["systemIdentifier"].startswith("PO-")
    assert operation["alert"]["outcome"]["level"] == "success"
    assert operation["alert"]["status"] == "resolved"
    by_step = {r["step"]: r for r in operation["history"]}
    assert by_step["customer"]["outcome"]["code"] == "Customer Created"
    record = by_step["order"]
    assert record["outcome"]["httpCode"] == 201
    assert order["orderId"] in record["contentSource"]
    assert '"externalId"' in record["contentTranslated"]
    assert operation["lastResponse"]["systemIdentifier"] in record["contentDestination"]


def test_the_same_order_sent_twice_is_one_operation_and_one_platform_effect(
    local_stack, order_request
):
    order = new_order(order_request)
    first = local_stack.channel.post("/v1/orders", json=order).json()
    second = local_stack.channel.post("/v1/orders", json=order)
    assert second.status_code == 202
    assert second.json()["operationId"] == first["operationId"]
    local_stack.wait_for(first["operationId"], {"synced"})
    assert local_stack.platform_stats()["effectsByKey"][f"create:demo-shop.{order['orderId']}"] == 1
    conflicting = local_stack.channel.post(
        "/v1/orders", json={**order, "shippingMethod": "express"}
    )
    assert conflicting.status_code == 409
    assert "different body" in conflicting.json()["message"]


def test_an_invalid_body_lists_every_problem_and_queues_nothing(local_stack, order_request):
    order = new_order(order_request, currency="euros", lines=[])
    del order["customer"]
    response = local_stack.channel.post("/v1/orders", json=order)
    assert response.status_code == 422
    fields = {problem["field"] for problem in response.json()["problems"]}
    assert fields == {"currency", "lines", "customer"}
    nothing_recorded_for(local_stack, order)


def test_malformed_json_is_a_client_error(local_stack):
    response = local_stack.channel.post(
        "/v1/orders", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer osk_not_a_real_credential"}, 403)],
)
def test_a_missing_or_wrong_credential_is_refused_before_the_api_runs(
    local_stack, order_request, headers, status
):
    api_calls = local_stack.stack()["invocations"]["ApiFunction"]
    response = httpx.post(
        f"{local_stack.url}/v1/orders", json=new_order(order_request), headers=headers
    )
    assert response.status_code == status
    assert local_stack.stack()["invocations"]["ApiFunction"] == api_calls
    assert (
        httpx.get(f"{local_stack.url}/v1/operations/anything", headers=headers).status_code
        == status
    )


def test_another_channel_s_operation_reads_as_missing(local_stack, order_request):
    marketplace = local_stack.client(MARKETPLACE_CREDENTIAL)
    order = new_order(order_request)
    theirs = marketplace.post("/v1/orders", json=order).json()["operationId"]
    local_stack.wait_for(theirs, {"synced"}, client=marketplace)

    assert marketplace.get(f"/v1/operations/{theirs}").status_code == 200
    assert local_stack.channel.get(f"/v1/operations/{theirs}").status_code == 404


def test_three_server_errors_are_retried_caught_alerted_then_redelivered_until_synced(
    local_stack, order_request
):
    order = new_order(order_request)
    local_stack.set_faults(
        {"kind": "status", "status": 500, "times": 3, "orderId": f"demo-shop.{order['orderId']}"}
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]

    failed = local_stack.wait_for(operation_id, {"failed", "synced"}, seconds=30)
    assert failed["status"] == "failed", "three 500s must exhaust the workflow's own retries"
    assert failed["attempts"] == 3
    alert = failed["alert"]
    assert (alert["status"], alert["outcome"]["level"], alert["outcome"]["code"]) == (
        "open",
        "error",
        "Platform Unavailable",
    )
    assert "HTTP 500" in alert["outcome"]["businessMessage"]
    assert alert["outcome"]["action"]
    assert failed["where"].startswith("retrying automatically")
    orders = [r for r in failed["history"] if r["step"] == "order"]
    assert [r["outcome"]["httpCode"] for r in orders] == [500, 500, 500]

    synced = local_stack.wait_for(operation_id, {"synced"}, seconds=30)
    assert synced["attempts"] == 4
    assert synced["alert"]["status"] == "resolved", "a later success closes the open alert"
    assert len([r for r in synced["history"] if r["step"] == "order"]) == 4


def test_a_business_rejection_waits_for_a_person(local_stack, order_request):
    order = new_order(order_request)
    local_stack.set_faults(
        {
            "kind": "reject",
            "message": "SKU MUG-WHITE is unknown",
            "code": "E-SKU",
            "orderId": f"demo-shop.{order['orderId']}",
        }
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]
    failed = local_stack.wait_for(operation_id, {"failed"}, seconds=30)
    assert failed["attempts"] == 1
    assert failed["alert"]["outcome"]["code"] == "Order Creation Failed"
    assert failed["alert"]["outcome"]["systemCode"] == "E-SKU"
    assert failed["where"] == "waiting for a person: edit and resend, or retry"
    # Not retried: its message is deleted, not hidden for a backoff. Once the queue holds no
    # message at all (visible or in flight), nothing can run it again.
    local_stack.wait_until_queue_empty()
    assert local_stack.channel.get(f"/v1/operations/{operation_id}").json()["attempts"] == 1

    # The channel resends it corrected: the same operation runs again with the new body.
    corrected = {**order, "lines": [order["lines"][0], {**order["lines"][1], "sku": "MUG-BLACK"}]}
    resent = local_stack.channel.post("/v1/orders", json=corrected)
    assert resent.status_code == 202, resent.text
    assert resent.json()["operationId"] == operation_id
    synced = local_stack.wait_for(operation_id, {"synced"}, seconds=30)
    assert synced["attempts"] == 2
    assert synced["alert"]["status"] == "resolved"
    assert local_stack.platform_stats()["effectsByKey"][f"create:demo-shop.{order['orderId']}"] == 1
    third = {**corrected, "customer": {**corrected["customer"], "phone": "+44 20 7946 0999"}}
    again = local_stack.channel.post("/v1/orders", json=third)
    assert again.status_code == 409, "once synced, a different body is a conflict again"


@pytest.mark.slow  # a stack of its own, to stop it
def test_ctrl_c_stops_the_stack_cleanly():
    started = start()
    assert httpx.get(f"{started.url}/health").status_code == 200
    assert started.stop() == 0
    output = started.output()
    assert "ready on" in output
    assert "Traceback" not in output


def test_a_body_too_large_to_queue_is_refused_with_413(local_stack, order_request):
    lines = [
        {"sku": f"SKU-{n:05d}", "quantity": 1, "unitPrice": "1.00", "name": "x" * 500}
        for n in range(500)
    ]
    order = new_order(order_request, lines=lines, grandTotal="504.95")  # + shipping 4.95
    assert len(json.dumps(order)) > 200_000
    response = local_stack.channel.post("/v1/orders", json=order)
    assert response.status_code == 413
    assert "nothing was accepted" in response.json()["message"]
    nothing_recorded_for(local_stack, order)
