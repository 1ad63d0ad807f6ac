"""Many copies of one request at once (a channel retrying in parallel, a proxy fanning out): every
copy gets the same 202 and the same operation id, never a 5xx; one operation, one effect."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx

COPIES = 50
THREADS = 25


def test_identical_requests_sent_at_once_all_get_the_same_202(local_stack, order_request):
    tag = uuid.uuid4().hex[:10]
    order = {
        **order_request,
        "orderId": f"WEB-{tag}",
        "customer": {**order_request["customer"], "email": f"buyer-{tag}@example.com"},
    }
    start = Barrier(THREADS)

    def send(_: int) -> tuple[int, dict]:
        # Generous: each concurrent copy cold-starts its own API environment on a small machine.
        with local_stack.channel as client:
            client.timeout = httpx.Timeout(120)
            if _ < THREADS:
                start.wait(timeout=30)  # the first wave leaves together
            response = client.post("/v1/orders", json=order)
            return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(send, range(COPIES)))

    statuses = sorted({status for status, _ in answers})
    assert statuses == [202], [answer for answer in answers if answer[0] != 202][:3]
    bodies = {tuple(sorted(body.items())) for _, body in answers}
    assert len(bodies) == 1, bodies
    (operation_id,) = {body["operationId"] for _, body in answers}
    local_stack.wait_for(operation_id, {"synced"}, seconds=60)
    local_stack.wait_until_queue_empty()
    assert local_stack.platform_stats()["effectsByKey"][f"create:demo-shop.{order['orderId']}"] == 1
