"""The soak test: many orders through the local stack, over HTTP, under faults; then the faults
go, the dead-letter queue is redriven, and every accepted operation is accounted for.

Usage: python -m tools.soak [--orders 2000] [--transient 0.30] [--reject 0.05] [--lost 0.02]
                            [--duplicates 0.10] [--seed 7] [--aws-faults 0.02]
Prints one line: soak: accepted=N synced=N open_alerts=N blocked=N dlq=N lost=N duplicated=N
(accepted = synced + open_alerts + blocked + dlq, and each DLQ message one skipped operation).
"""

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from local.process import StackProcess, start
from local.seed import DEMO_CREDENTIAL
from ordersync.operations.records import operation_from_item
from tools.redrive import local_client, local_stack_state
from tools.soak_accounting import account, settled
from tools.soak_people import describe_people, people_passed, people_phase
from tools.soak_redrive import passed, redrive_until_empty

ROOT = Path(__file__).resolve().parent.parent
ORDER = json.loads((ROOT / "events/requests/create_order.json").read_text())
FOLLOW_UPS = {
    "invoice": lambda n: {
        "invoiceNumber": f"INV-{n}",
        "issuedAt": "2026-11-24T10:00:00Z",
        "currency": "EUR",
        "total": "31.95",
    },
    "shipment": lambda n: {
        "shipmentId": f"SHP-{n}",
        "shippedAt": "2026-11-25T08:00:00Z",
        "carrier": "DHL",
        "trackingNumber": f"1Z{n}",
        "trackingUrl": f"https://track.example/1Z{n}",
    },
    "refund": lambda n: {"refundId": f"RF-{n}", "amount": "5.00", "currency": "EUR"},
    "cancel": lambda n: {"reason": "soak"},
}
LOGS = ROOT / ".local"


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


def start_stack(
    time_scale: float, retry_budget: int, log_name: str, aws_faults: float = 0.0
) -> StackProcess:
    LOGS.mkdir(exist_ok=True)
    options = [
        "--time-scale",
        str(time_scale),
        "--retry-budget",
        str(retry_budget),
        "--concurrency",
        "8",
        "--aws-faults",
        str(aws_faults),
    ]
    return start(*options, output=(LOGS / log_name).open("w"))


def run(
    orders: int,
    transient: float,
    reject: float,
    lost: float,
    duplicates: float,
    seed: int = 7,
    time_scale: float = 0.02,
    retry_budget: int = 3,
    settle_seconds: float | None = None,
    aws_faults: float = 0.0,
) -> dict[str, Any]:
    started = time.monotonic()
    # The local stack runs about one operation a second on a shared 2-core machine; each phase
    # may take that long before an unsettled operation counts as lost.
    settle_seconds = settle_seconds or max(600.0, orders * 4.0)
    log_name = f"soak-stack-{orders}-{seed}.log"
    stack_process = start_stack(time_scale, retry_budget, log_name, aws_faults)
    url, platform = stack_process.url, stack_process.platform_url
    try:
        soak = Soak(url=url, platform=platform, seed=seed, duplicates=duplicates)
        rates = {
            "status": transient * 0.7,
            "rate_limit": transient * 0.2,
            "timeout": transient * 0.1,
            "reject": reject,
            "lost": lost,
        }
        httpx.post(
            f"{platform}/_platform/faults",
            json={"rates": rates, "seed": seed, "timeoutSeconds": 2.5},
        ).raise_for_status()
        draw = random.Random(seed)
        creates = []
        for n in range(orders):
            order = {
                **ORDER,
                "orderId": f"SOAK-{seed}-{n}",
                "customer": {**ORDER["customer"], "email": f"soak{n % 50}@example.com"},
            }
            creates.append((order["orderId"], "create", order))
        soak.send(creates)
        soak.settle(settle_seconds)
        follow_ups = []
        for n in range(orders):
            order_id = f"SOAK-{seed}-{n}"
            chosen = ["cancel"] if draw.random() < 0.1 else ["invoice", "shipment", "refund"]
            follow_ups += [(order_id, operation, FOLLOW_UPS[operation](n)) for operation in chosen]
        soak.send(follow_ups)
        soak.settle(settle_seconds)
        # The platform's faults end; what waits in the dead-letter queue goes back, and must
        # now sync. Faults in ordersync's own AWS calls stay on, so a redriven operation may be
        # skipped again: the DLQ is redriven until it is empty (a few rounds at most).
        httpx.delete(f"{platform}/_platform/faults").raise_for_status()
        found = soak.statuses(list(soak.accepted))
        redrives, identity = redrive_until_empty(soak, found, settle_seconds)
        found = soak.statuses(list(soak.accepted))
        stats = httpx.get(f"{platform}/_platform/stats").json()
        stack = local_stack_state(url)
        result = account(found, stats, stack, soak, time.monotonic() - started)
        # Last, a person settles each rejected creation: its blocked follow-ups run or go.
        people = people_phase(soak, found, settle_seconds, platform)
        injected = (LOGS / log_name).read_text().count("aws fault injected:")
        return result | {
            "redrives": redrives,
            "identity": identity,
            "aws_faults": injected,
            "people": people,
        }
    finally:
        stack_process.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.soak",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--orders", type=int, default=2000, help="orders, each with its follow-ups")
    parser.add_argument(
        "--transient", type=float, default=0.30, help="share of platform calls failing transiently"
    )
    parser.add_argument("--reject", type=float, default=0.05, help="share of business rejections")
    parser.add_argument(
        "--lost", type=float, default=0.02, help="share of answers lost after the platform commits"
    )
    parser.add_argument(
        "--duplicates", type=float, default=0.10, help="share of requests the channel sends twice"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed for the fault schedule")
    parser.add_argument(
        "--aws-faults", type=float, default=0.0, help="share of ordersync's own AWS calls failing"
    )
    args = parser.parse_args()
    result = run(
        args.orders,
        args.transient,
        args.reject,
        args.lost,
        args.duplicates,
        args.seed,
        aws_faults=args.aws_faults,
    )
    print(
        f"soak: took {result['took_seconds']}s ({result['operations_per_second']} operations/s); "
        f"transient failures left unsynced: {result['transient_unsynced']}; "
        f"redrives (messages moved, each round): {result['redrives']}; "
        f"DLQ identity broken by: {result['identity'] or 'nothing'}; "
        f"blocked though their order was created: {result['never_released']}; "
        f"faults injected into ordersync's own AWS calls: {result['aws_faults']}; "
        f"requests the API refused: {result['refused_by_api']}; "
        f"server errors the channel retried: {len(result['server_errors'])} "
        f"{result['server_errors'][:3]}; "
        f"not synced, by status and code: {result['unsynced_by_code']}"
    )
    print(
        "soak: "
        + " ".join(
            f"{key}={result[key]}"
            for key in (
                "accepted",
                "synced",
                "open_alerts",
                "blocked",
                "dlq",
                "lost",
                "duplicated",
            )
        )
    )
    print(describe_people(result["people"]))
    return 0 if passed(result) and people_passed(result["people"]) else 1


if __name__ == "__main__":
    sys.exit(main())
