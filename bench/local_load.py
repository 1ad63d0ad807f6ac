"""The local stack under steady load: operations per second through the whole flow (API, queue,
workflow, platform, records) and how much the stack's process grows per 1,000 operations once
it is warm, beside how much of that growth is the tables' own items.

The stack runs as `python -m local` in a process of its own, as `make run` and the soak run it,
and is driven over HTTP with orders and their follow-ups (invoice, shipment, refund), no
faults. `--root` runs another checkout's stack the same way (the README's side-by-side run).

Usage: python -m bench.local_load [--warm 100] [--orders 250] [--root PATH]   (prints JSON)
"""

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.dynamo_units import item_size
from local.ports import free_port
from local.seed import DEMO_CREDENTIAL
from local.template import ROOT
from tools.soak import FOLLOW_UPS, ORDER

OPERATIONS_PER_ORDER = 4  # the creation, an invoice, a shipment and a refund
SETTLE_SECONDS = 900
CLIENTS = 8


class LoadedStack:
    def __init__(self, root: Path, time_scale: float, extra: tuple[str, ...] = ()) -> None:
        port, platform_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{port}"
        (ROOT / ".local").mkdir(exist_ok=True)
        log = (ROOT / ".local" / f"bench-load-{port}.log").open("w")
        options = {
            "--port": port,
            "--platform-port": platform_port,
            "--time-scale": time_scale,
            "--concurrency": 8,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "local",
                *(str(x) for pair in options.items() for x in pair),
                *extra,
            ],
            cwd=root,
            # Another checkout's own package and handlers, not this one's.
            env={**os.environ, "PYTHONPATH": f"{root}:{root / 'layers/common'}"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {DEMO_CREDENTIAL}"}, timeout=120
        )
        self.server_errors = 0
        self._wait_until_healthy()
        stack = self.http.get("/_local/stack").json()
        endpoint = stack["awsEndpoint"]
        self.resources = stack["resources"]
        self.aws = {
            service: _client(service, endpoint) for service in ("dynamodb", "sqs", "stepfunctions")
        }

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("bench: the local stack exited while starting")
            try:
                if self.http.get("/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise SystemExit("bench: the local stack did not start")

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def rss_mb(self) -> float:
        """The stack's resident memory with its execution environments' processes."""
        total, pending = 0, [self.process.pid]
        while pending:
            pid = pending.pop()
            proc = Path(f"/proc/{pid}")
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in (proc / "task").iterdir():
                try:
                    children = (task / "children").read_text().split()
                except FileNotFoundError:
                    continue  # a thread that ended meanwhile
                pending += [int(child) for child in children]
        return total / 1024

    def post(self, path: str, body: dict[str, Any]) -> None:
        answer = self.http.post(path, json=body)
        for wait in (0.5, 1, 2):  # a channel retries a server error, as the soak's does
            if answer.status_code < 500:
                break
            self.server_errors += 1
            time.sleep(wait)
            answer = self.http.post(path, json=body)
        if answer.status_code != 202:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")

    def queued(self) -> int:
        attributes = self.aws["sqs"].get_queue_attributes(
            QueueUrl=self.resources["OperationsQueue"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def settle(self) -> None:
        deadline = time.monotonic() + SETTLE_SECONDS
        while self.queued():
            if time.monotonic() > deadline:
                raise SystemExit("bench: the operations queue did not empty")
            time.sleep(0.25)

    def item_bytes(self) -> int:
        """The tables' items as DynamoDB sizes them (names and values), read with a Scan: the
        bench may; the code may not."""
        total = 0
        for logical_id, name in self.resources.items():
            if not logical_id.endswith("Table"):
                continue
            pages = self.aws["dynamodb"].get_paginator("scan").paginate(TableName=name)
            for page in pages:
                total += sum(item_size(item) for item in page["Items"])
        return total


def _client(service: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def drive(stack: LoadedStack, first: int, orders: int) -> float:
    """Send `orders` orders, then their follow-ups, each wave once the one before has settled;
    the seconds it took."""
    started = time.monotonic()
    numbers = range(first, first + orders)

    def create(n: int) -> None:
        customer = {**ORDER["customer"], "email": f"load{n % 50}@example.com"}
        stack.post("/v1/orders", {**ORDER, "orderId": f"LOAD-{n}", "customer": customer})

    def follow_up(n: int) -> None:
        for operation in ("invoice", "shipment", "refund"):
            stack.post(f"/v1/orders/LOAD-{n}/{operation}", FOLLOW_UPS[operation](n))

    for wave in (create, follow_up):
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(wave, numbers))
        stack.settle()
    return time.monotonic() - started


def measure(
    root: Path, warm: int, orders: int, time_scale: float, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    stack = LoadedStack(root, time_scale, extra)
    try:
        drive(stack, 0, warm)
        rss_before, items_before = stack.rss_mb(), stack.item_bytes()
        seconds = drive(stack, warm, orders)
        rss_after, items_after = stack.rss_mb(), stack.item_bytes()
        server_errors = stack.server_errors
    finally:
        stack.stop()
    operations = orders * OPERATIONS_PER_ORDER
    per_thousand = 1000 / operations
    return {
        "root": str(root),
        "stack_options": list(extra),
        "operations": operations,
        "seconds": round(seconds, 1),
        "local_operations_per_second": round(operations / seconds, 2),
        "rss_mb_after_warm_up": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1),
        "local_rss_growth_mb_per_1000_operations": round(
            (rss_after - rss_before) * per_thousand, 1
        ),
        "table_item_mb_per_1000_operations": round(
            (items_after - items_before) / 2**20 * per_thousand, 2
        ),
        "server_errors_retried": server_errors,
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.local_load", description=__doc__)
    parser.add_argument("--warm", type=int, default=100, help="orders before measuring")
    parser.add_argument("--orders", type=int, default=250, help="orders measured (4 ops each)")
    parser.add_argument("--time-scale", type=float, default=0.05)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose stack runs")
    parser.add_argument(
        "--stack-option", action="append", default=[], help="passed to python -m local"
    )
    args = parser.parse_args()
    result = measure(
        args.root.resolve(), args.warm, args.orders, args.time_scale, tuple(args.stack_option)
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
