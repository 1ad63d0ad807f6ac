"""Cold start up to the first answer: import, clients and one representative first invocation.

`bench.cold_start` times the import and the clients only, so work moved from import time into
the first request (a lazy import, a schema built on first use) would look like a saving there.
This times both in one fresh interpreter (`bench/probe.py` with an event): the handler answers
a representative first event against a running local stack, with the function's own
environment as CloudFormation resolved it and the Tracer on, as deployed. The AWS calls go to
moto on this machine, so the first request's figure is for comparing trees, not a Lambda
duration. CPU time, median of `runs`, the functions' runs interleaved.

With `--against TREE` (another checkout with its own .venv, such as a worktree of main), each
run probes that tree too, alternating with this one on the same stack, so a change is measured
side by side under the same load.

Usage: python -m bench.first_request [--runs 5] [--only ConsoleFunction] [--against TREE]
[--output FILE]   (JSON)
"""

import argparse
import base64
import functools
import json
import os
import statistics
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import cold_start
from local.ports import free_port
from local.seed import USER_PASSWORD
from local.stack import LocalStack, LocalStackOptions
from local.template import ROOT
from ordersync.console.session import SESSION_COOKIE

EVENTS = ROOT / "events"


def _event(path: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((EVENTS / path).read_text())
    return found


def _new_order(stack: LocalStack) -> dict[str, Any]:
    """A create of an order not seen before (a repeat would take the idempotent answer)."""
    event = _event("api/create_order.json")
    body = json.loads(event["body"])
    body["orderId"] = f"FIRST-{uuid.uuid4().hex[:12]}"
    event["body"] = json.dumps(body)
    return event


def _id_token(stack: LocalStack) -> str:
    return stack.user_pool.sign_in("admin@demo-merchant.test", USER_PASSWORD)


def _signed_in_overview(stack: LocalStack) -> dict[str, Any]:
    """The console's first page of a signed-in admin (its session cookie holds the id token)."""
    event = _event("console/root.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/dev/console/overview"
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /console/{proxy+}"
    event["cookies"] = [f"{SESSION_COOKIE}={_id_token(stack)}"]
    return event


def _merchant_alerts(stack: LocalStack) -> dict[str, Any]:
    """A merchant admin's first page of alerts, with the claims API Gateway's JWT authorizer
    passes from the seeded user's id token."""
    event = _event("merchant_api/list_alerts.json")
    payload = _id_token(stack).split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    event["requestContext"]["authorizer"]["jwt"]["claims"] = {k: str(v) for k, v in claims.items()}
    return event


def _resolve_link(stack: LocalStack) -> dict[str, Any]:
    """An emailed link's GET whose token the ledger does not know (a 403 page): the page's
    imports, a ledger read and a template; the action (POST) is not a link's first request."""
    return _event("resolve_page/show_alert.json")


def _authorize(stack: LocalStack) -> dict[str, Any]:
    return _event("authorizer/request.json")


def _scheduled_sweep(stack: LocalStack) -> dict[str, Any]:
    return _event("sweeper/scheduled.json")


def _delivery(stack: LocalStack) -> dict[str, Any]:
    """The workflow's delivery task for a new order: the platform is called over httpx."""
    event = _event("order_create/invoke.json")
    order = f"FIRST-{uuid.uuid4().hex[:12]}"
    event["message"]["orderId"] = event["message"]["payload"]["orderId"] = order
    event["message"]["operationId"] = str(uuid.uuid4())
    # What the workflow passes beside the message (the ASL's Parameters): the sample event
    # predates the run lease that the first attempt takes by the execution's name.
    event["executionName"] = f"{event['message']['operationId']}-{uuid.uuid4().hex[:12]}"
    event["retryCount"] = 0
    return event


def _order_page(stack: LocalStack) -> dict[str, Any]:
    """An order page as the first request (an id no alert has: the page's imports, then its
    404): it imports the actions machinery the overview leaves out."""
    event = _signed_in_overview(stack)
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/dev/console/alerts/A-none"
    return event


def _dispatch(stack: LocalStack) -> dict[str, Any]:
    """The operations queue's batch of one new operation: its workflow run is started."""
    event = _event("dispatcher/sqs_batch.json")
    [record] = event["Records"]
    message = json.loads(record["body"])
    message["operationId"] = str(uuid.uuid4())
    message["orderId"] = message["payload"]["orderId"] = f"FIRST-{uuid.uuid4().hex[:12]}"
    record["body"] = json.dumps(message)
    return event


def _stream_change(stack: LocalStack) -> dict[str, Any]:
    """The alerts table's stream: an alert that newly waits for a person, on an order and an
    operation not seen before (the ledger tells each alert once). Only the stack's first one is
    emailed at once (with Jinja2's import); the demo recipients' later ones wait for a digest,
    so the median of the runs, in either tree, times a record that sends nothing, as most do."""
    text = (EVENTS / "notifier/alert_stream.json").read_text()
    record = json.loads(text)["Records"][0]["dynamodb"]["NewImage"]
    order, operation = record["identifier"]["S"], record["operationId"]["S"]
    fresh: dict[str, Any] = json.loads(
        text.replace(order, f"FIRST-{uuid.uuid4().hex[:12]}").replace(operation, str(uuid.uuid4()))
    )
    return fresh


# Each function's representative first event (name -> function, event); the authorizer, which
# no change here touches, shows the run-to-run noise.
FIRST_EVENTS: dict[str, tuple[str, Callable[[LocalStack], dict[str, Any]]]] = {
    "ApiFunction": ("ApiFunction", _new_order),
    "AuthorizerFunction": ("AuthorizerFunction", _authorize),
    "ConsoleFunction": ("ConsoleFunction", _signed_in_overview),
    "ConsoleFunction, an order page": ("ConsoleFunction", _order_page),
    "DispatcherFunction": ("DispatcherFunction", _dispatch),
    "MerchantApiFunction": ("MerchantApiFunction", _merchant_alerts),
    "NotifierFunction": ("NotifierFunction", _stream_change),
    "OrderCreateFunction": ("OrderCreateFunction", _delivery),
    "ResolvePageFunction": ("ResolvePageFunction", _resolve_link),
    "SweeperFunction": ("SweeperFunction", _scheduled_sweep),
}


def function_environment(stack: LocalStack, logical_id: str) -> dict[str, str]:
    """What the Lambda runtime sets (`cold_start.function_environment`), with the function's
    variables as the local stack resolved them and its endpoint; the Tracer stays on."""
    configuration = stack.client("lambda").get_function_configuration(
        FunctionName=stack.resources[logical_id]
    )
    own = {k: str(v) for k, v in configuration.get("Environment", {}).get("Variables", {}).items()}
    runtime = cold_start.function_environment(stack.template, logical_id)
    return {
        **runtime,
        **own,
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],  # set by the stack's start
        # A sampled trace, as Lambda passes one: the Tracer records its subsegments (and sends
        # them to a daemon that is not there, as UDP does not wait).
        "_X_AMZN_TRACE_ID": f"Root=1-5759e988-{'0' * 24};Parent={'1' * 16};Sampled=1",
    }


def _figures(found: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "import_ms": round(statistics.median(run["ms"] for run in found), 1),
        "first_request_ms": round(statistics.median(run["first_ms"] for run in found), 1),
        "import_and_first_request_ms": round(
            statistics.median(run["ms"] + run["first_ms"] for run in found), 1
        ),
        "answer": _summary(found[-1]["answer"]),
    }


@functools.cache
def _not_deployed(layer: Path) -> list[str]:
    return cold_start.not_deployed(
        cold_start.requirements(layer) + list(cold_start.RUNTIME_PROVIDES)
    )


def _tree_spec(spec: dict[str, Any], tree: Path) -> dict[str, Any]:
    """The same probe with another checkout's function folder and layer, and what its layer
    does not deploy refused (its requirements may differ from this tree's)."""
    layer = tree / "layers" / "common"
    return {
        **spec,
        "denied": _not_deployed(layer),
        "function_dir": str(tree / Path(spec["function_dir"]).relative_to(ROOT)),
        "layer": str(layer),
    }


def measure(
    runs: int, only: list[str] | None = None, against: Path | None = None
) -> dict[str, Any]:
    names = sorted(name for name in FIRST_EVENTS if not only or FIRST_EVENTS[name][0] in only)
    stack = LocalStack(LocalStackOptions(port=free_port(), platform_port=free_port()))
    stack.start()
    try:
        denied = cold_start.not_deployed(
            cold_start.requirements() + list(cold_start.RUNTIME_PROVIDES)
        )
        timings: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        theirs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        specs = {}
        for name in names:
            logical_id = FIRST_EVENTS[name][0]
            function = stack.template.functions[logical_id]
            spec = {
                "denied": denied,
                "function_dir": str(function.code_dir),
                "layer": str(cold_start.LAYER),
                "handler": function.handler,
            }
            environment = function_environment(stack, logical_id)
            modules = cold_start.probe({**spec, "clients": []}, environment)["modules"]
            specs[name] = ({**spec, "clients": cold_start.clients_used(modules)}, environment)
            if against:  # its .pyc files written before the timed runs, as this tree's are
                cold_start.probe(_tree_spec(specs[name][0], against), environment, against)
        for _ in range(runs):
            for name, (spec, environment) in specs.items():
                event = FIRST_EVENTS[name][1](stack)
                timings[name].append(cold_start.probe({**spec, "event": event}, environment))
                if against:
                    other = _tree_spec({**spec, "event": FIRST_EVENTS[name][1](stack)}, against)
                    theirs[name].append(cold_start.probe(other, environment, against))
    finally:
        stack.stop()
    results: dict[str, Any] = {"runs": runs, "functions": {n: _figures(timings[n]) for n in names}}
    if against:
        results["against"] = {
            "tree": str(against),
            "functions": {name: _figures(theirs[name]) for name in names},
        }
    return results


def _summary(answer: Any) -> Any:
    """The status of an HTTP answer, or the answer itself, to show the request did its work."""
    if isinstance(answer, dict) and "statusCode" in answer:
        return {"statusCode": answer["statusCode"]}
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_request", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append")
    parser.add_argument("--against", type=Path)
    # The stack's scheduled functions log to stdout too: --output keeps the figures apart.
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    figures = json.dumps(measure(args.runs, args.only, args.against), indent=2)
    if args.output:
        args.output.write_text(figures + "\n")
    else:
        print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
