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
import time
from pathlib import Path
from typing import Any

import httpx

from local.process import StackProcess, start
from tools.redrive import local_stack_state
from tools.soak_accounting import account
from tools.soak_channel import Soak
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
