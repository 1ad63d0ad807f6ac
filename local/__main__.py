"""`python -m local`: start the local stack and serve until Ctrl-C."""

import argparse
import logging
import signal
import threading

from local import aws_faults
from local.seed import DEMO_CREDENTIAL, USER_PASSWORD
from local.stack import LocalStack, LocalStackOptions

QUICK_START = """\
ordersync local stack ready on {url}  (simulated platform on {platform})

  curl -s -X POST {url}/v1/orders \\
    -H 'Authorization: Bearer {credential}' -H 'Content-Type: application/json' \\
    -d @events/requests/create_order.json

  curl -s {url}/v1/operations/<operationId> -H 'Authorization: Bearer {credential}'

  merchant sign-in (admin|operator|viewer@demo-merchant.test, admin@other-merchant.test):
  curl -s -X POST {url}/_local/sign-in \
    -d '{{"email": "admin@demo-merchant.test", "password": "{password}"}}'
  curl -s {url}/v1/me -H 'Authorization: Bearer <token>'
  curl -s -OJ '{url}/v1/alerts/export?format=xlsx' -H 'Authorization: Bearer <token>'

  faults:  curl -s -X POST {platform}/_platform/faults \\
             -d '{{"faults": [{{"kind": "status", "status": 500, "times": 3}}]}}'
  outbox:  curl -s {url}/_local/outbox
Ctrl-C stops everything.
"""


def exactly_runs(runs: int) -> dict[str, str]:
    """Template parameters that skip an operation after `runs` runs, however young it is."""
    return {"RetryBudget": str(runs), "RetryForHours": "0", "FollowUpRetryForHours": "0"}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--platform-port", type=int, default=3001)
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="below 1 shortens retry waits"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="SQS poller threads")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument(
        "--timeout-factor",
        type=float,
        default=3.0,
        help="stop a function after this many times its timeout (1: exactly as Lambda)",
    )
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="one process per Lambda execution environment, each with only its function's "
        "variables and its own modules, stopped past its timeout (as Lambda runs them)",
    )
    parser.add_argument(
        "--retry-budget",
        type=int,
        help="skip an operation after exactly this many workflow runs (no retry span)",
    )
    parser.add_argument(
        "--export-direct-rows",
        type=int,
        help="exports of more rows run as jobs (the template's ExportDirectRows, 5000)",
    )
    parser.add_argument(
        "--aws-faults",
        type=float,
        default=0.0,
        help="fail this share of ordersync's own SQS sends, DynamoDB writes and workflow starts",
    )
    parser.add_argument("--aws-faults-seed", type=int, help="seed for --aws-faults")
    args = parser.parse_args()
    # The stack's own lines (a failed invocation's traceback above all) go to stderr.
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Before the stack starts: each client takes its hooks from the session when it is made.
    aws_faults.install(args.aws_faults, args.aws_faults_seed)
    stack = LocalStack(
        LocalStackOptions(
            port=args.port,
            platform_port=args.platform_port,
            time_scale=args.time_scale,
            poller_concurrency=args.concurrency,
            isolated=args.isolated,
            timeout_factor=args.timeout_factor,
            log_level=args.log_level,
            parameters={
                **(exactly_runs(args.retry_budget) if args.retry_budget else {}),
                **(
                    {"ExportDirectRows": str(args.export_direct_rows)}
                    if args.export_direct_rows
                    else {}
                ),
            },
        )
    ).start()
    print(
        QUICK_START.format(
            url=stack.url,
            platform=stack.platform_url,
            credential=DEMO_CREDENTIAL,
            password=USER_PASSWORD,
        ),
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    print("stopping...", flush=True)
    stack.stop()


if __name__ == "__main__":
    main()
