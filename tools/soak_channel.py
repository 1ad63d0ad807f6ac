"""The soak's channel: it sends orders and their follow-ups to the local stack over HTTP, as
a sales channel does (some twice, server errors retried), and reads back where each accepted
operation is."""

import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from local.seed import DEMO_CREDENTIAL
from ordersync.operations.records import operation_from_item
from tools.redrive import local_client, local_stack_state
from tools.soak_accounting import settled


@dataclass
class Soak:
    url: str
    platform: str
    seed: int
    duplicates: float
    accepted: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # operation id -> (order, operation)
    refused: int = 0
    server_errors: list[str] = field(default_factory=list)

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {DEMO_CREDENTIAL}"}, timeout=60
        )

    def send(self, jobs: list[tuple[str, str, dict[str, Any]]], workers: int = 8) -> None:
        draw = random.Random(self.seed)
        twice = {index for index in range(len(jobs)) if draw.random() < self.duplicates}
        # Each worker keeps its connection, as a channel's HTTP client does: a connection per
        # order had the stack's front door start a thread for each.
        connections = threading.local()
        opened: list[httpx.Client] = []

        def connection() -> httpx.Client:
            client: httpx.Client | None = getattr(connections, "client", None)
            if client is None:
                client = connections.client = self.client()
                opened.append(client)
            return client

        def post(index_job: tuple[int, tuple[str, str, dict[str, Any]]]) -> None:
            index, (order_id, operation, body) = index_job
            path = "/v1/orders" if operation == "create" else f"/v1/orders/{order_id}/{operation}"
            client = connection()
            for _ in range(2 if index in twice else 1):  # the channel delivers some twice
                answer = client.post(path, json=body)
                for wait in (0.5, 1, 2):  # a channel retries a server error, as it should
                    if answer.status_code < 500:
                        break
                    self.server_errors.append(f"{answer.status_code} {answer.text[:200]}")
                    time.sleep(wait)
                    answer = client.post(path, json=body)
                if answer.status_code == 202:
                    self.accepted[answer.json()["operationId"]] = (order_id, operation)
                else:
                    self.refused += 1

        try:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(post, enumerate(jobs)))
        finally:
            for client in opened:
                client.close()

    def statuses(self, operation_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Where each operation is, read from the operations table 100 at a time.

        GET /v1/operations/{id} answers the same with the history and the alert, but reading
        thousands that way took longer than running them; the accounting reads the record."""
        stack = local_stack_state(self.url)
        dynamodb = local_client(stack, "dynamodb")
        table = stack["resources"]["OperationsTable"]
        found: dict[str, dict[str, Any]] = {}
        for first in range(0, len(operation_ids), 100):
            keys = [{"operationId": {"S": key}} for key in operation_ids[first : first + 100]]
            request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                answer = dynamodb.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(table, []):
                    values = operation_from_item(item).model_dump(by_alias=True, mode="json")
                    found[values["operationId"]] = values
                request = answer.get("UnprocessedKeys") or {}
        return found

    def settle(self, deadline_seconds: float) -> dict[str, dict[str, Any]]:
        """Wait until each operation is synced, waiting for a person, or dead-lettered.

        While the operations queue holds messages, work is still under way and only its depth
        is read (reading thousands of operations every few seconds would take the stack's time
        from the operations themselves). Once it is empty, the operations not settled yet are
        read; one unsettled with an empty queue is lost, unless the sweeper sends it again."""
        deadline = time.monotonic() + deadline_seconds
        found: dict[str, dict[str, Any]] = {}
        while True:
            queues = local_stack_state(self.url)["queues"]
            source = queues["OperationsQueue"]
            if source["visible"] + source["inFlight"] == 0:
                pending = [key for key in self.accepted if not settled(found.get(key, {}))]
                found |= self.statuses(pending)
                unsettled = [found[key] for key in pending if not settled(found[key])]
                if not unsettled or time.monotonic() > deadline:
                    return self.statuses(list(self.accepted))
                waiting = Counter(
                    f"{op.get('status')}:{(op.get('lastResponse') or {}).get('code')}"
                    for op in unsettled
                )
                print(f"soak: queue empty; waiting for {dict(waiting)}", file=sys.stderr)
            elif time.monotonic() > deadline:
                return self.statuses(list(self.accepted))
            else:
                print(f"soak: queues {queues}", file=sys.stderr, flush=True)
            time.sleep(5)
