"""`python -m bench.calls`: every function's AWS calls, recorded on the local stack, as the IAM
permissions they need (prints JSON). The least-privilege test compares them with template.yaml.

One run that reaches every function and every kind of call its code makes, in a few seconds:
- orders created, cancelled, invoiced, shipped and refunded (the API, the authorizer, the
  dispatcher and its queue's event-source mapping, each delivery function, the outcome and
  the callback tasks), each follow-up retried once by the workflow (a retry counts its own
  attempt), and one read back through GET /v1/operations/{id};
- a platform that accepts for later (202), confirmed over POST /v1/callbacks/{id};
- a callback the platform refuses once (the callback's own alert is written);
- a platform that keeps failing until the retry budget (2 here) is spent: the dispatcher
  postpones the message, then moves it to the dead-letter queue;
- an invoice sent before its order: blocked, then released by the order's creation (the
  dispatcher's keyed Query, its send to the queue, the order's alert);
- a create sent again: with the same body (the first answer), with another (a conflict), and
  with another body (a 409);
- a merchant viewer reading alerts (from an index, and by key for a column off it), one
  alert, the history and one order's story;
- an operator's actions on rejected orders, one by one, by ids and as bulk jobs by filter
  (`bench.action_scenarios`);
- a merchant viewer's exports: two small enough to be the answer, one run as a job by the
  export function, its presigned link downloaded;
- a retry's fresh message arriving before it is due (hidden until then, then nothing to run);
- a sweep over one overdue operation of each kind (queued, unverified, retry whose message is
  gone), which flags, alerts and requeues, with a user opted in to order-sync notifications
  (the notifier sends Unsynced Order emails; their digest lists the unsynced orders);
- shipments that need a person (the alerts stream's notifier emails them; the digest runs on
  its schedule), their emailed resolve links opened and acted on (a resend, a mark-as-synced),
  and an unsubscribe link (bench.email_scenarios);
- an admin setting the daily report, the report function's scheduled run sending it, and its
  recipient stopping it from the email's link (bench.email_scenarios.daily_report).

The stack runs in this process, so `bench.instrument` can see each handler's requests.

Usage: python -m bench.calls [--output FILE]
"""

import argparse
import json
import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import action_scenarios, email_scenarios
from bench import call_scenarios as scenarios
from bench.calls_driver import Driver


def run(driver: Driver) -> dict[str, Any]:
    started = time.monotonic()
    driver.recorder.reset()
    with ThreadPoolExecutor(4) as pool:
        concurrent = (
            scenarios.lifecycle,
            scenarios.cancellation,
            scenarios.confirmed_later,
            scenarios.rejected_later,
            scenarios.budget_spent,
            scenarios.blocked_follow_up,
            scenarios.merchant_admin,
            email_scenarios.resolve_links,
            scenarios.console,
            action_scenarios.merchant_actions,
        )
        for future in [pool.submit(scenario, driver) for scenario in concurrent]:
            future.result()
    scenarios.repeats(driver, scenarios.lifecycle_order(driver))
    scenarios.early_copy(driver)
    scenarios.merchant_lists(driver, scenarios.lifecycle_order(driver))
    scenarios.merchant_exports(driver)  # after the others: it exports their alerts
    email_scenarios.opt_in(driver)
    scenarios.sweep(driver)
    email_scenarios.unsynced_digest(driver)
    email_scenarios.digest(driver)
    email_scenarios.daily_report(driver)  # after the others: it reports their orders
    email_scenarios.unsubscribe(driver)
    driver.wait("the stack to go idle", driver.idle)
    counts = driver.recorder.reset()
    return {
        "seconds": round(time.monotonic() - started, 1),
        "calls": [
            {
                "function": function,
                "service": service,
                "operation": operation,
                "action": action,
                "resource": resource,
                "count": count,
            }
            for (function, service, operation, action, resource), count in sorted(
                counts.calls.items()
            )
        ],
        "invocations": dict(sorted(counts.invocations.items())),
        "errors": [list(error[:3]) for error in counts.errors],
    }


def record() -> dict[str, Any]:
    driver = Driver()
    try:
        return run(driver)
    finally:
        driver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    try:
        text = json.dumps(run(Driver()), indent=2) + "\n"
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    if args.output:
        args.output.write_text(text)
    else:
        # The recorder took sys.stdout over for the handlers' logs.
        sys.__stdout__.write(text)  # type: ignore[union-attr]
        sys.__stdout__.flush()  # type: ignore[union-attr]
    # Done: winding the stack's threads down (pollers, moto's executions) only takes seconds,
    # and after a failure can take a minute.
    os._exit(0)


if __name__ == "__main__":
    main()
