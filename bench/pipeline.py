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
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.pipeline_driver import TIME_SCALE, Bench
from bench.profiles import median_profile
from bench.transitions import walk
from local import embedded_aws
from local.seed import DEMO_CHANNEL as CHANNEL
from local.template import ROOT


def run(burst: int, repeats: int) -> dict[str, Any]:
    # The dispatcher's metrics flush finds none locally (metrics are off in the local stack);
    # moto's CloudFormation skips the schedules, which the local stack runs itself.
    warnings.filterwarnings("ignore", "No application metrics to publish")
    warnings.filterwarnings("ignore", "Tried to parse AWS::Scheduler::Schedule")
    logging.getLogger("moto").setLevel(logging.ERROR)
    # The burst's runs are read back after it (a local stack keeps only a few by default).
    embedded_aws.FINISHED_EXECUTIONS_KEPT = max(1000, burst * 3)
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
            # The platform knows the order as <channel>.<order id>.
            bench.fault(
                {"kind": "status", "status": 500, "times": 1, "orderId": f"{CHANNEL}.{order_id}"}
            )
            bench.settle([bench.create(order_id)])

        def create_with_failed_run() -> None:
            order_id = bench.order_id()
            # Every attempt of the first run fails (1 + 2 retries); the next run succeeds.
            bench.fault(
                {"kind": "status", "status": 500, "times": 3, "orderId": f"{CHANNEL}.{order_id}"}
            )
            bench.settle([bench.create(order_id)])

        scenarios: dict[str, Any] = {}
        scenarios["create"] = median_profile(
            [bench.measure("create", create_once) for _ in range(repeats)]
        )
        scenarios["create_workflow_retry"] = median_profile(
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
