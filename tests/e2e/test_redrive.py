"""The dead-letter queue and its redrive, on a stack with a retry budget of two runs."""

import json
from collections.abc import Iterator

import httpx
import pytest

from local.process import start
from tests.e2e.conftest import LocalStackProcess
from tools.redrive import redrive_local


@pytest.fixture(scope="module")
def short_budget() -> Iterator[LocalStackProcess]:
    started = start("--time-scale", "0.02", "--retry-budget", "2")
    yield LocalStackProcess(
        url=started.url, platform_url=started.platform_url, process=started.process
    )
    started.stop()


def dead_letters(stack: LocalStackProcess) -> int:
    return int(stack.stack()["queues"]["OperationsDeadLetterQueue"]["visible"])


def test_a_redriven_operation_is_processed_once_and_a_second_copy_not_at_all(
    short_budget, order_request
):
    order = {**order_request, "orderId": "WEB-REDRIVE-1"}
    short_budget.set_faults(
        {"kind": "status", "status": 503, "times": 100, "orderId": f"demo-shop.{order['orderId']}"}
    )
    operation_id = short_budget.channel.post("/v1/orders", json=order).json()["operationId"]

    skipped = short_budget.wait_for(operation_id, {"skipped"}, seconds=90)
    assert skipped["alert"]["status"] == "open"
    assert "redrive it or resend it" in skipped["where"]
    sqs = short_budget.sqs()
    dlq = short_budget.queue_url("OperationsDeadLetterQueue")
    # Recorded as skipped first, then moved by the dispatcher: the message follows shortly.
    parked = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, WaitTimeSeconds=10)["Messages"]
    assert [json.loads(m["Body"])["operationId"] for m in parked] == [operation_id]
    effect = f"create:demo-shop.{order['orderId']}"  # the platform's id: channel.order
    assert effect not in short_budget.platform_stats()["effectsByKey"]

    httpx.delete(f"{short_budget.platform_url}/_platform/faults", timeout=10).raise_for_status()
    assert redrive_local(short_budget.url, report=lambda moved, total: None) == 1
    synced = short_budget.wait_for(operation_id, {"synced"}, seconds=60)

    assert synced["alert"]["status"] == "resolved"
    assert short_budget.platform_stats()["effectsByKey"][effect] == 1
    assert dead_letters(short_budget) == 0

    # A second copy of the same message (a console redrive run twice, say) changes nothing.
    requests = short_budget.platform_stats()["requests"]
    sqs.send_message(QueueUrl=dlq, MessageBody=parked[0]["Body"])
    assert redrive_local(short_budget.url, report=lambda moved, total: None) == 1
    short_budget.wait_until_queue_empty()

    assert short_budget.platform_stats()["requests"] == requests
    after = short_budget.channel.get(f"/v1/operations/{operation_id}").json()
    assert (after["status"], after["attempts"]) == ("synced", synced["attempts"])
