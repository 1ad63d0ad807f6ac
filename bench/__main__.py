"""`python -m bench` (`make bench`): every figure in one run, printed as a table and written to
bench/results.json.

Each part runs in a process of its own, one after the other (the machine's cores are shared):
cold start (fresh interpreters), query cost (moto in process), then the local stack (AWS
requests, DynamoDB units, transitions, durations, throughput), from which the cost follows,
the emails a burst of failing orders sends (moto in process), and the local stack under steady
load as `make run` runs it (`bench.local_load`: operations per second and RSS growth per 1,000
operations).

Usage: python -m bench [--quick] [--render]
  --quick   fewer runs and a smaller query table: a check that everything works, not figures
  --render  print the table of the existing bench/results.json, measuring nothing
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import cost as costs
from bench.report import render
from local.template import ROOT, LocalTemplate

RESULTS = ROOT / "bench" / "results.json"
SOURCES = ROOT / "layers" / "common" / "ordersync"
TARGETS = {
    "cold_start_ratio_max": 1.5,  # issue 18; 1.3 and $8 are the steps after it
    "cost_per_million_orders_usd": 15.0,
    "query": 1.2,
    "local_operations_per_second": 10.0,
    "local_rss_growth_mb_per_1000_operations": 40.0,
}
EMAIL_CALLS = ("send_email", "send_raw_email", "send_bulk_templated_email", '"sesv2"', '"ses"')


def _phase(module: str, *arguments: str) -> dict[str, Any]:
    started = time.monotonic()
    print(f"bench: {module} ...", file=sys.stderr, flush=True)
    result = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench: {module} failed (exit {result.returncode})")
    print(f"bench: {module} took {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def _email_sender_exists() -> bool:
    return any(call in path.read_text() for path in SOURCES.rglob("*.py") for call in EMAIL_CALLS)


def emails(pipeline: dict[str, Any], burst: dict[str, Any] | None = None) -> dict[str, Any]:
    """The burst's figure (bench.email_burst) beside its bound, or why there is none."""
    seen = sum(s["requests_by_service"]["SES"] for s in pipeline["scenarios"].values())
    if burst is not None:
        note = (
            f"{_number(burst['emails_per_1000_failing_orders'])} "
            f"({burst['emails']} emails for {burst['orders']} orders failing within a minute, "
            f"{burst['recipients']} recipients: {burst['immediate']} immediate + "
            f"{burst['digests']} digests; bound {burst['bound']} = recipients x windows "
            f"({burst['windows']}) x 2)"
        )
        return {
            "value": burst["emails_per_1000_failing_orders"],
            "bound": burst["bound"] * 1000 / burst["orders"],
            "ses_requests_seen": seen,
            "burst": burst,
            "note": note,
        }
    if _email_sender_exists():
        note = "not measured in this run (python -m bench.email_burst measures it)"
    else:
        note = (
            "not measurable yet: ordersync has no email or digest sender "
            f"(SES requests seen in every scenario: {_number(seen)})"
        )
    return {"value": None, "ses_requests_seen": seen, "note": note}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def cost_section(pipeline: dict[str, Any]) -> dict[str, Any]:
    prices = costs.load_prices()
    sam = LocalTemplate.load().sam
    memory = costs.memory_by_function(sam)
    platform_logs = costs.platform_log_bytes_by_function(sam)
    scenarios = pipeline["scenarios"]
    express = costs.cost_per_million_orders(
        scenarios, memory, prices, platform_log_bytes=platform_logs
    )
    standard = costs.cost_per_million_orders(
        scenarios, memory, prices, standard=True, platform_log_bytes=platform_logs
    )
    provisioned = costs.cost_per_million_orders(
        scenarios, memory, prices, provisioned=True, platform_log_bytes=platform_logs
    )
    slower = costs.Assumptions(
        **{
            **costs.describe_assumptions(),
            "platform_latency_ms": costs.ASSUMPTIONS.platform_latency_ms + 100,
        }
    )
    slower_total = costs.cost_per_million_orders(
        scenarios, memory, prices, slower, platform_log_bytes=platform_logs
    )
    gb_seconds = costs.gb_seconds_by_function(scenarios["create"], memory)
    gb_second_price = prices["prices"]["lambda_arm64_gb_second"]["usd"]
    # What the on-demand target leaves for DynamoDB writes once everything else is paid.
    per_million_units = costs.unit_prices(prices)[0] * 1e6
    beside_writes = express["total_without_email"] - express["dynamodb_write"]
    return {
        "write_units_per_order": round(express["dynamodb_write"] / per_million_units, 2),
        "write_units_per_order_within_target": round(
            (TARGETS["cost_per_million_orders_usd"] - beside_writes) / per_million_units, 2
        ),
        "express": express,
        "standard": standard,
        "provisioned": provisioned,
        # Where a happy create's money goes (USD per million such creates).
        "create_lambda_duration_by_function": {
            function: round(seconds * gb_second_price * 1e6, 2)
            for function, seconds in sorted(gb_seconds.items(), key=lambda item: -item[1])
        },
        "per_100ms_platform_latency": round(
            slower_total["total_without_email"] - express["total_without_email"], 4
        ),
        "per_operation_usd": {
            name: costs.operation_cost(profile, memory, prices, platform_log_bytes=platform_logs)
            for name, profile in scenarios.items()
        },
        "mix": costs.order_mix(),
        "assumptions": costs.describe_assumptions(),
        "memory_mb": memory,
        "platform_log_bytes": platform_logs,
        "prices_date": prices["date"],
        "region": prices["region"],
    }


def assemble(
    cold: dict[str, Any],
    query: dict[str, Any],
    pipeline: dict[str, Any],
    burst: dict[str, Any] | None = None,
    load: dict[str, Any] | None = None,
) -> dict[str, Any]:
    cost = cost_section(pipeline)
    create = pipeline["scenarios"]["create"]
    email = emails(pipeline, burst)
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, shared",
        "cold_start_ratio_max": cold["cold_start_ratio_max"],
        "cost_per_million_orders_usd": cost["express"]["total_without_email"],
        "cost_per_million_orders_standard_usd": cost["standard"]["total_without_email"],
        "cost_per_million_orders_provisioned_usd": cost["provisioned"]["total_without_email"],
        "query_scanned_ratio_max": query["query_scanned_ratio_max"],
        "transitions_per_create": create["transitions"],
        "emails_per_1000_failing_orders": email["value"],
    }
    results["targets"] = {
        "cold start ratio, max": {
            "value": results["cold_start_ratio_max"],
            "limit": TARGETS["cold_start_ratio_max"],
        },
        "its libraries alone, max": {
            "value": cold["libraries_ratio_max"],
            "limit": None,
            "note": "the same with no code of ours (bench/required_stack.py)",
        },
        "cost per million orders": {
            "value": results["cost_per_million_orders_usd"],
            "limit": TARGETS["cost_per_million_orders_usd"],
            "money": True,
        },
        "DynamoDB write units an order": {
            "value": cost["write_units_per_order"],
            "limit": None,
            "note": f"the cost target leaves {cost['write_units_per_order_within_target']:.1f}",
        },
        "same on Standard": {
            "value": results["cost_per_million_orders_standard_usd"],
            "limit": None,
            "money": True,
            "note": "for comparison",
        },
        "on provisioned capacity": {
            "value": results["cost_per_million_orders_provisioned_usd"],
            "limit": None,
            "money": True,
            "note": "steady 1M orders/month, auto scaling",
        },
        "query items read 20k/1k, max": {
            "value": results["query_scanned_ratio_max"],
            "limit": TARGETS["query"],
        },
        "transitions per create": {
            "value": create["transitions"],
            "limit": None,
            "note": f"the ASL's happy path enters {len(pipeline['asl_happy_path_create'])} states",
        },
        "emails per 1,000 failing orders": {
            "value": email["value"],
            "limit": email.get("bound"),
            "note": "a burst within one window" if burst else "not measured",
        },
    }
    if load is not None:
        for key in ("local_operations_per_second", "local_rss_growth_mb_per_1000_operations"):
            results[key] = load[key]
        results["targets"]["local operations/s"] = {
            "value": load["local_operations_per_second"],
            "limit": TARGETS["local_operations_per_second"],
            "at_least": True,
        }
        results["targets"]["local RSS MB per 1,000 ops"] = {
            "value": load["local_rss_growth_mb_per_1000_operations"],
            "limit": TARGETS["local_rss_growth_mb_per_1000_operations"],
        }
        results["local_load"] = load
    results.update(
        {
            "cold_start": cold,
            "query": query,
            "pipeline": pipeline,
            "cost": cost,
            "emails": email,
        }
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--render", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.render:
        sys.stdout.write(render(json.loads(args.output.read_text())))
        return 0
    started = time.monotonic()
    cold = _phase("bench.cold_start", "--runs", "3" if args.quick else "7")
    query = _phase("bench.query", "--sizes", *(["200", "400"] if args.quick else ["1000", "20000"]))
    pipeline = _phase("bench.pipeline", "--burst", "20" if args.quick else "150", "--repeats", "3")
    burst = _phase("bench.email_burst", "--orders", "200" if args.quick else "1000")
    load = _phase("bench.local_load", *(["--warm", "10", "--orders", "20"] if args.quick else []))
    results = assemble(cold, query, pipeline, burst, load)
    results["seconds"] = round(time.monotonic() - started)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    sys.stdout.write(render(results))
    print(f"bench: wrote {args.output} in {results['seconds']}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
