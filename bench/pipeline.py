"""Operations through the local stack, counted: AWS requests by service, DynamoDB units, Lambda
invocations and durations, platform calls, Step Functions transitions; then a burst of orders
for local throughput.

The stack runs in this process (so its handlers can be instrumented, `bench.instrument`) and is
driven over HTTP, as a channel drives it. Each scenario runs on its own, on a warm stack, and
waits until the operation is settled and nothing is running before its counts are read.

Usage: python -m bench.pipeline [--burst 150] [--repeats 3]   (prints JSON)
"""

import argparse
import json
import logging
import statistics
import sys
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.dynamo_meter import table_shapes
from bench.instrument import install
from bench.recorder import POLLER, SCHEDULED, Counts, Recorder
from bench.transitions import transitions, walk
from local.seed import DEMO_CREDENTIAL
from local.stack import LocalStack, LocalStackOptions, free_port
from local.template import ROOT
from tools.soak import FOLLOW_UPS, ORDER

TIME_SCALE = 0.05
SETTLE_SECONDS = 120
# Front-door functions: the HTTP API invokes them (API Gateway requests are counted apart).
SERVICES = ("API Gateway", "Lambda", "SQS", "Step Functions", "DynamoDB", "SES")
BOTO_SERVICE = {
    "sqs": "SQS",
    "stepfunctions": "Step Functions",
    "dynamodb": "DynamoDB",
    "ses": "SES",
}
SYNCED = "synced"
WRITE_FIELDS = ("actor", "request", "table", "bytes_before", "bytes_after", "units", "index_units")
WRITES_KEPT = 60


class Bench:
    def __init__(self, time_scale: float = TIME_SCALE) -> None:
        self.stack = LocalStack(
            LocalStackOptions(
                port=free_port(),
                platform_port=free_port(),
                time_scale=time_scale,
                # As deployed (LogLevel's default): the functions' log lines are counted.
                log_level="INFO",
            )
        )
        self.stack.start()
        self.recorder = Recorder(self.stack, table_shapes(self.stack.template.sam))
        install(self.recorder)
        self.http = httpx.Client(
            base_url=self.stack.url,
            headers={"Authorization": f"Bearer {DEMO_CREDENTIAL}"},
            timeout=60,
        )
        self.dynamodb = self.stack.client("dynamodb")
        self.sqs = self.stack.client("sqs")
        self.stepfunctions = self.stack.client("stepfunctions")
        self.machine = self.stack.resources["OrderOperationStateMachine"]
        self.seen_executions: set[str] = set()
        self.api_requests = 0
        self.sequence = 0

    def stop(self) -> None:
        self.http.close()
        self.stack.stop()

    # ---------------------------------------------------------------- driving
    def order_id(self) -> str:
        self.sequence += 1
        return f"BENCH-{self.sequence}"

    def send(self, order_id: str, operation: str, body: dict[str, Any]) -> str:
        path = "/v1/orders" if operation == "create" else f"/v1/orders/{order_id}/{operation}"
        answer = self.http.post(path, json=body)
        self.api_requests += 1
        if answer.status_code != 202:
            errors = "\n".join(map(str, self.recorder.counts.errors[-3:]))
            raise RuntimeError(
                f"{operation} {order_id}: {answer.status_code} {answer.text}\n{errors}"
            )
        return str(answer.json()["operationId"])

    def create(self, order_id: str) -> str:
        customer = {**ORDER["customer"], "email": f"{order_id.lower()}@example.com"}
        return self.send(order_id, "create", {**ORDER, "orderId": order_id, "customer": customer})

    def follow_up(self, order_id: str, operation: str) -> str:
        return self.send(order_id, operation, FOLLOW_UPS[operation](self.sequence))

    def fault(self, fault: dict[str, Any]) -> None:
        httpx.post(f"{self.stack.platform_url}/_platform/faults", json={"faults": [fault]})

    def status(self, operation_id: str) -> str:
        item = self.dynamodb.get_item(
            TableName=self.stack.resources["OperationsTable"],
            Key={"operationId": {"S": operation_id}},
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
        ).get("Item")
        return str(item["status"]["S"]) if item else "missing"

    def queued(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.resources["OperationsQueue"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def settle(self, operation_ids: list[str], wanted: str = SYNCED) -> None:
        """Wait until every operation reads `wanted` and the stack is idle (twice in a row)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        quiet = 0
        while quiet < 2:
            if time.monotonic() > deadline:
                statuses = Counter(self.status(op) for op in operation_ids)
                raise RuntimeError(f"operations did not settle: {dict(statuses)}")
            idle = self.recorder.active == 0 and self.queued() == 0
            done = idle and all(self.status(op) == wanted for op in operation_ids)
            quiet = quiet + 1 if done else 0
            time.sleep(0.1)

    def executions(self) -> list[dict[str, Any]]:
        """The workflow runs since the last call: transitions, retries, duration."""
        found = []
        pages = self.stepfunctions.get_paginator("list_executions")
        for page in pages.paginate(stateMachineArn=self.machine):
            for execution in page["executions"]:
                arn = execution["executionArn"]
                if arn in self.seen_executions:
                    continue
                self.seen_executions.add(arn)
                history = self.stepfunctions.get_execution_history(
                    executionArn=arn, maxResults=1000
                )["events"]
                kinds = [event["type"] for event in history]
                stop = execution.get("stopDate") or execution["startDate"]
                found.append(
                    {
                        "status": execution["status"],
                        "transitions": transitions(kinds),
                        "states": [
                            event["stateEnteredEventDetails"]["name"]
                            for event in history
                            if "stateEnteredEventDetails" in event
                        ],
                        "duration_ms": (stop - execution["startDate"]).total_seconds() * 1000,
                    }
                )
        return found

    def measure(self, name: str, scenario: Any, operations: Any = 1) -> dict[str, Any]:
        """Run `scenario` and read what it did, per operation (`operations`: how many it
        ran, or a callable that says so afterwards)."""
        self.recorder.reset()
        self.executions()
        self.api_requests = 0
        scenario()
        counts = self.recorder.reset()
        ran = operations() if callable(operations) else operations
        return profile(name, counts, self.executions(), self.api_requests, max(1, ran))


def profile(
    name: str, counts: Counts, executions: list[dict[str, Any]], api_requests: int, operations: int
) -> dict[str, Any]:
    """One scenario's counts, per operation (scheduled functions' work apart)."""
    per = 1 / operations
    counts, scheduled = _without_scheduled(counts)
    requests: dict[str, dict[str, float]] = {}
    for (actor, service, operation), n in counts.requests.items():
        key = f"{actor}:{operation}" if service != "dynamodb" else operation
        bucket = requests.setdefault(BOTO_SERVICE.get(service, service), {})
        bucket[key] = bucket.get(key, 0) + n * per
    lambda_requests = {f: n * per for f, n in counts.invocations.items()}
    by_service = {service: 0.0 for service in SERVICES}
    by_service["API Gateway"] = api_requests * per
    by_service["Lambda"] = sum(lambda_requests.values())
    for service, bucket in requests.items():
        by_service[service] = by_service.get(service, 0.0) + sum(bucket.values())
    tables: dict[str, dict[str, float]] = {}
    for kind, counter in (
        ("read", counts.read_units),
        ("write", counts.write_units),
        ("index_write", counts.index_write_units),
    ):
        for (_, table), units in counter.items():
            tables.setdefault(table, {"read": 0.0, "write": 0.0, "index_write": 0.0})
            tables[table][kind] += units * per
    return {
        "scenario": name,
        "operations": operations,
        "requests_by_service": by_service,
        "requests": requests,
        "lambda_invocations": lambda_requests,
        "lambda_ms": {
            f: round(statistics.median(ms), 2) for f, ms in counts.durations_ms.items() if ms
        },
        "platform_calls": {f: n * per for f, n in counts.platform_calls.items()},
        "log_bytes": {f: n * per for f, n in counts.log_bytes.items()},
        "dynamodb_units": {
            "read": sum(t["read"] for t in tables.values()),
            "write": sum(t["write"] for t in tables.values()),
            "index_write": sum(t["index_write"] for t in tables.values()),
            "by_table": tables,
        },
        "express_executions": len(executions) * per,
        "transitions": sum(e["transitions"] for e in executions) * per,
        "execution_ms": [round(e["duration_ms"], 1) for e in executions],
        "states": [e["states"] for e in executions][:3],
        "idle_receives_not_counted": counts.empty_receives,
        "scheduled_invocations_not_counted": scheduled,
        "function_errors": len(counts.errors),
        # Expected in the retry scenarios (the platform's 500s); anything else is a finding.
        "function_error_samples": [
            f"{actor} {kind}: {message[:160]}" for actor, kind, message, _ in counts.errors[:3]
        ],
        "writes": [
            dict(zip(WRITE_FIELDS, write, strict=True)) for write in counts.writes[:WRITES_KEPT]
        ],
        "poller": POLLER,
    }


def _without_scheduled(counts: Counts) -> tuple[Counts, dict[str, int]]:
    """The counts of the operations' own work, and how often scheduled functions ran."""

    def mine(key: Any) -> bool:
        actor = key[0] if isinstance(key, tuple) else key
        return not str(actor).startswith(SCHEDULED)

    kept = Counts()
    counters = ("requests", "read_units", "write_units", "index_write_units", "invocations")
    for name in (*counters, "platform_calls", "log_bytes"):
        getattr(kept, name).update({k: v for k, v in getattr(counts, name).items() if mine(k)})
    kept.durations_ms.update({k: v for k, v in counts.durations_ms.items() if mine(k)})
    kept.writes = [write for write in counts.writes if mine(write)]
    kept.empty_receives = counts.empty_receives
    kept.errors = [error for error in counts.errors if mine(error)]
    scheduled = {k: n for k, n in counts.invocations.items() if not mine(k)}
    return kept, scheduled


def _median_profile(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run's counts (checked equal across runs), with median durations."""
    first = dict(runs[0])
    for run in runs[1:]:
        if run["requests_by_service"] != first["requests_by_service"]:
            first.setdefault("unstable", []).append(run["requests_by_service"])
    functions = set().union(*(run["lambda_ms"] for run in runs))
    first["lambda_ms"] = {
        f: round(statistics.median(r["lambda_ms"][f] for r in runs if f in r["lambda_ms"]), 2)
        for f in sorted(functions)
    }
    first["execution_ms"] = [
        round(statistics.median(ms for r in runs for ms in r["execution_ms"]), 1)
    ]
    first["repeats"] = len(runs)
    return first


def run(burst: int, repeats: int) -> dict[str, Any]:
    # The dispatcher's metrics flush finds none locally (metrics are off in the local stack);
    # moto's CloudFormation skips the schedules, which the local stack runs itself.
    warnings.filterwarnings("ignore", "No application metrics to publish")
    warnings.filterwarnings("ignore", "Tried to parse AWS::Scheduler::Schedule")
    logging.getLogger("moto").setLevel(logging.ERROR)
    bench = Bench()
    try:
        # Warm every handler the scenarios use: their first invocation imports them.
        warm = bench.order_id()
        created = bench.create(warm)
        bench.settle([created])
        follow = [bench.follow_up(warm, op) for op in ("invoice", "shipment", "refund")]
        bench.settle(follow)

        def create_once() -> None:
            bench.settle([bench.create(bench.order_id())])

        def create_with_retry() -> None:
            order_id = bench.order_id()
            bench.fault({"kind": "status", "status": 500, "times": 1, "orderId": order_id})
            bench.settle([bench.create(order_id)])

        def create_with_failed_run() -> None:
            order_id = bench.order_id()
            # Every attempt of the first run fails (1 + 2 retries); the next run succeeds.
            bench.fault({"kind": "status", "status": 500, "times": 3, "orderId": order_id})
            bench.settle([bench.create(order_id)])

        scenarios: dict[str, Any] = {}
        scenarios["create"] = _median_profile(
            [bench.measure("create", create_once) for _ in range(repeats)]
        )
        scenarios["create_workflow_retry"] = _median_profile(
            [bench.measure("create_workflow_retry", create_with_retry) for _ in range(repeats)]
        )
        scenarios["create_failed_run"] = bench.measure("create_failed_run", create_with_failed_run)
        order_id = bench.order_id()
        bench.settle([bench.create(order_id)])
        for operation in ("invoice", "shipment", "refund"):
            scenarios[operation] = bench.measure(
                operation, lambda op=operation: bench.settle([bench.follow_up(order_id, op)])
            )
        order_id = bench.order_id()
        bench.settle([bench.create(order_id)])
        scenarios["cancel"] = bench.measure(
            "cancel", lambda: bench.settle([bench.follow_up(order_id, "cancel")])
        )
        scenarios["burst"], throughput = _burst(bench, burst)
        definition = json.loads((ROOT / "statemachines/order_operation.asl.json").read_text())
        expected = walk(
            definition, {"message": {"operation": "create"}, "recorded": {"callback": True}}
        )
        return {
            "scenarios": scenarios,
            "throughput": throughput,
            "asl_happy_path_create": expected,
            "time_scale": TIME_SCALE,
        }
    finally:
        bench.stop()


def _burst(bench: Bench, orders: int) -> tuple[dict[str, Any], dict[str, Any]]:
    order_ids = [bench.order_id() for _ in range(orders)]
    timings: dict[str, float] = {}

    refused: list[str] = []

    def create(order_id: str) -> str | None:
        try:
            return bench.create(order_id)
        except RuntimeError as error:  # counted, not fatal: throughput is for trend only
            refused.append(str(error))
            return None

    def scenario() -> None:
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            operation_ids = [found for found in pool.map(create, order_ids) if found]
        timings["accepted"] = time.monotonic() - started
        timings["operations"] = len(operation_ids)
        bench.settle(operation_ids)
        timings["settled"] = time.monotonic() - started

    measured = bench.measure("burst", scenario, operations=lambda: timings["operations"])
    synced = timings["operations"]
    throughput = {
        "orders": orders,
        "accepted_per_second": round(synced / timings["accepted"], 1),
        "synced_per_second": round(synced / timings["settled"], 1),
        "seconds": round(timings["settled"], 1),
        "refused": len(refused),
        "refusals": refused[:3],
    }
    return measured, throughput


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--burst", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    # Only the figures go to stdout: anything printed meanwhile goes to stderr, and the
    # functions' logs to the meter (bench.instrument.LogMeter).
    output, sys.stdout = sys.stdout, sys.stderr
    print(json.dumps(run(args.burst, args.repeats), indent=2, default=str), file=output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
