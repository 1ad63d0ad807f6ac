"""The dead-letter queue and its redrive, on the run's stack (a retry budget of two runs)."""

import json

import httpx

from tests.factories import new_order
from tools.redrive import redrive_local


def order_runs(operation):
    return [r for r in operation["history"] if r["step"] == "order"]


def test_a_redriven_operation_is_processed_once_and_a_second_copy_not_at_all(
    local_stack, order_request
):
    order = new_order(order_request)
    local_stack.set_faults(
        {"kind": "status", "status": 503, "times": 100, "orderId": f"demo-shop.{order['orderId']}"}
    )
    operation_id = local_stack.channel.post("/v1/orders", json=order).json()["operationId"]

    skipped = local_stack.wait_for(operation_id, {"skipped"}, seconds=90)
    assert skipped["alert"]["status"] == "open"
    assert "redrive it or resend it" in skipped["where"]
    # Recorded as skipped first, then moved by the dispatcher: the message follows shortly.
    sqs = local_stack.sqs()
    dlq = local_stack.queue_url("OperationsDeadLetterQueue")
    parked = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, WaitTimeSeconds=10)["Messages"]
    assert [json.loads(m["Body"])["operationId"] for m in parked] == [operation_id]
    effect = f"create:demo-shop.{order['orderId']}"  # the platform's id: channel.order
    assert effect not in local_stack.platform_stats()["effectsByKey"]

    # Only this order's faults are left (every other test scopes its faults to its own order).
    httpx.delete(f"{local_stack.platform_url}/_platform/faults", timeout=10).raise_for_status()
    assert redrive_local(local_stack.url, report=lambda moved, total: None) >= 1
    synced = local_stack.wait_for(operation_id, {"synced"}, seconds=60)

    assert synced["alert"]["status"] == "resolved"
    assert local_stack.platform_stats()["effectsByKey"][effect] == 1
    assert local_stack.messages_for(operation_id, "OperationsDeadLetterQueue") == []

    # A second copy of the same message (a console redrive run twice, say) changes nothing.
    sqs.send_message(QueueUrl=dlq, MessageBody=parked[0]["Body"])
    assert redrive_local(local_stack.url, report=lambda moved, total: None) >= 1
    local_stack.wait_until_queue_empty()

    after = local_stack.channel.get(f"/v1/operations/{operation_id}").json()
    assert (after["status"], after["attempts"]) == ("synced", synced["attempts"])
    assert len(order_runs(after)) == len(order_runs(synced)), "no request to the platform"
    assert local_stack.platform_stats()["effectsByKey"][effect] == 1
