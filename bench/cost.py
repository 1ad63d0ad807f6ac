"""Cost per million orders at list prices (`bench/prices.json`), from what the local stack did.

An operation's cost is the sum of its line items, each a measured count times a price:
HTTP API requests; Lambda invocations, and their duration (the function's MemorySize from
template.yaml times its measured duration); SQS requests (64 KB chunks; the event-source
mapping's receives and deletes included); Step Functions (Express: one request per execution
plus its duration in 64 MB chunks and 100 ms steps; Standard: one price per state transition);
DynamoDB read and write request units, indexes included; SES emails; CloudWatch Logs ingestion
(what the functions wrote, and Lambda's own START, END and REPORT lines where the template's
`LoggingConfig` lets them through: `platform_log_bytes_by_function`).

On provisioned capacity (`provisioned=True`) the DynamoDB lines are priced as a steady load with
auto scaling holding its target utilisation: a unit a second for an hour is one capacity unit-hour
at `autoscaling_target_utilization` of the capacity paid for. At a steady rate this is the same
per order at any volume; each table and index's minimum of one unit only matters far below
`steady_orders_per_month` (ASSUMPTIONS), which the report names.

Locally the simulated platform answers at once, so durations measured here leave out the time a
real platform takes: `platform_latency_ms` per platform request is added to the function that
makes it and to the Express run (the dispatcher starts the run and does not wait for it).

An order is a mix of runs (ASSUMPTIONS): most go through on the first attempt; a share needs a
Step Functions retry, a smaller share fails a whole run and runs again after its backoff.
"""

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PRICES = Path(__file__).with_name("prices.json")
LINE_ITEMS = (
    "api_gateway",
    "lambda_requests",
    "lambda_duration",
    "sqs",
    "step_functions",
    "dynamodb_write",
    "dynamodb_read",
    "ses",
    "logs",
)


@dataclass(frozen=True)
class Assumptions:
    # A quick platform API in a nearby region; every 100 ms more is shown as a sensitivity.
    platform_latency_ms: float = 100.0
    # Shares of orders that need one Step Functions retry, or one more whole run.
    workflow_retry_share: float = 0.05
    failed_run_share: float = 0.01
    # Express bills memory in 64 MB chunks; this workflow's state is a few KB.
    express_memory_mb: int = 64
    # Lambda's own START, END and REPORT lines (with the X-Ray trace id) per invocation, for a
    # function whose SystemLogLevel lets them through.
    lambda_platform_log_bytes: int = 400
    # Provisioned capacity: the steady volume the column is for, and auto scaling's target.
    steady_orders_per_month: int = 1_000_000
    autoscaling_target_utilization: float = 0.7


ASSUMPTIONS = Assumptions()


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def memory_by_function(sam: dict[str, Any]) -> dict[str, int]:
    default = int(sam.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    return {
        logical_id: int(resource["Properties"].get("MemorySize", default))
        for logical_id, resource in sam["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


# Lambda's START, END and REPORT lines are INFO: only these system log levels write them.
PLATFORM_LINE_LEVELS = frozenset({"DEBUG", "INFO"})


def platform_log_bytes_by_function(
    sam: dict[str, Any], assumptions: Assumptions = ASSUMPTIONS
) -> dict[str, int]:
    """Bytes of Lambda's own lines per invocation, by function: none where the function's
    `LoggingConfig` (Globals, then its own) is JSON with a SystemLogLevel above INFO. The TEXT
    format (the default) cannot filter them; JSON's default system level is INFO."""
    default = sam.get("Globals", {}).get("Function", {}).get("LoggingConfig", {})
    found = {}
    for logical_id, resource in sam["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        config = {**default, **resource["Properties"].get("LoggingConfig", {})}
        filtered = config.get("LogFormat") == "JSON" and (
            config.get("SystemLogLevel", "INFO") not in PLATFORM_LINE_LEVELS
        )
        found[logical_id] = 0 if filtered else assumptions.lambda_platform_log_bytes
    return found


def _price(prices: dict[str, Any], name: str) -> float:
    return float(prices["prices"][name]["usd"])


def gb_seconds_by_function(
    profile: dict[str, Any],
    memory_mb: dict[str, int],
    assumptions: Assumptions = ASSUMPTIONS,
) -> dict[str, float]:
    """Lambda GB-seconds per operation, by function: measured time, plus the platform's
    latency for each call a function makes. (The dispatcher starts each run and does not wait
    for it, Express or Standard: its measured time is its own.)"""
    latency = assumptions.platform_latency_ms
    calls: dict[str, float] = profile.get("platform_calls", {})
    found = {}
    for function, count in profile["lambda_invocations"].items():
        busy_ms = profile["lambda_ms"].get(function, 0.0) * count + calls.get(function, 0) * latency
        found[function] = memory_mb.get(function, 128) / 1024 * busy_ms / 1000
    return found


def unit_prices(
    prices: dict[str, Any], assumptions: Assumptions = ASSUMPTIONS, *, provisioned: bool = False
) -> tuple[float, float]:
    """USD per DynamoDB (write, read) unit: on demand, or provisioned at a steady load, where a
    unit consumed costs a second of the capacity auto scaling keeps above it."""
    if not provisioned:
        return (
            _price(prices, "dynamodb_write_request_unit"),
            _price(prices, "dynamodb_read_request_unit"),
        )
    paid_seconds = 3600 * assumptions.autoscaling_target_utilization
    return (
        _price(prices, "dynamodb_provisioned_wcu_hour") / paid_seconds,
        _price(prices, "dynamodb_provisioned_rcu_hour") / paid_seconds,
    )


def operation_cost(
    profile: dict[str, Any],
    memory_mb: dict[str, int],
    prices: dict[str, Any],
    assumptions: Assumptions = ASSUMPTIONS,
    *,
    standard: bool = False,
    provisioned: bool = False,
    platform_log_bytes: dict[str, int] | None = None,
) -> dict[str, float]:
    """USD per operation, by line item, for one scenario's per-operation profile. With
    `standard`, the workflow is a Standard one: billed per transition. With
    `provisioned`, DynamoDB is on provisioned capacity with auto scaling at a steady load.
    `platform_log_bytes`: Lambda's own log bytes per invocation, by function
    (`platform_log_bytes_by_function`); None: `lambda_platform_log_bytes` for every one."""
    invocations: dict[str, float] = profile["lambda_invocations"]
    executions = float(profile["express_executions"])
    gb_seconds = sum(gb_seconds_by_function(profile, memory_mb, assumptions).values())
    if standard:
        step_functions = profile["transitions"] * _price(prices, "standard_transition")
    else:
        billing = prices["billing"]
        rounding = billing["express_duration_rounding_ms"]
        execution_ms = list(profile["execution_ms"]) or [0.0]
        waited_ms = (
            sum(profile.get("platform_calls", {}).values()) * assumptions.platform_latency_ms
        )
        run_ms = sum(execution_ms) / len(execution_ms) + (
            waited_ms / executions if executions else 0.0
        )
        billed_seconds = math.ceil(run_ms / rounding) * rounding / 1000
        chunks = math.ceil(assumptions.express_memory_mb / billing["express_memory_chunk_mb"])
        gb = chunks * billing["express_memory_chunk_mb"] / 1024
        step_functions = executions * (
            _price(prices, "express_request")
            + billed_seconds * gb * _price(prices, "express_gb_second")
        )
    units = profile["dynamodb_units"]
    write_unit, read_unit = unit_prices(prices, assumptions, provisioned=provisioned)
    platform_bytes = sum(
        count
        * (
            assumptions.lambda_platform_log_bytes
            if platform_log_bytes is None
            else platform_log_bytes.get(function, assumptions.lambda_platform_log_bytes)
        )
        for function, count in invocations.items()
    )
    log_bytes = sum(profile.get("log_bytes", {}).values()) + platform_bytes
    by_service = profile["requests_by_service"]
    return {
        "api_gateway": by_service["API Gateway"] * _price(prices, "api_gateway_http_request"),
        "lambda_requests": sum(invocations.values()) * _price(prices, "lambda_request"),
        "lambda_duration": gb_seconds * _price(prices, "lambda_arm64_gb_second"),
        "sqs": by_service["SQS"] * _price(prices, "sqs_request"),
        "step_functions": step_functions,
        "dynamodb_write": (units["write"] + units["index_write"]) * write_unit,
        "dynamodb_read": units["read"] * read_unit,
        "ses": by_service.get("SES", 0.0) * _price(prices, "ses_email"),
        "logs": log_bytes / 1e9 * _price(prices, "cloudwatch_logs_gb"),
    }


def order_mix(assumptions: Assumptions = ASSUMPTIONS) -> dict[str, float]:
    """Which scenarios make up an average order, and how much of it each is."""
    retry, failed = assumptions.workflow_retry_share, assumptions.failed_run_share
    return {
        "create": 1 - retry - failed,
        "create_workflow_retry": retry,
        "create_failed_run": failed,
    }


def cost_per_million_orders(
    scenarios: dict[str, dict[str, Any]],
    memory_mb: dict[str, int],
    prices: dict[str, Any],
    assumptions: Assumptions = ASSUMPTIONS,
    *,
    standard: bool = False,
    provisioned: bool = False,
    platform_log_bytes: dict[str, int] | None = None,
) -> dict[str, float]:
    """USD per million orders by line item (and "total", and "total_without_email")."""
    items = dict.fromkeys(LINE_ITEMS, 0.0)
    for scenario, share in order_mix(assumptions).items():
        cost = operation_cost(
            scenarios[scenario],
            memory_mb,
            prices,
            assumptions,
            standard=standard,
            provisioned=provisioned,
            platform_log_bytes=platform_log_bytes,
        )
        for item, usd in cost.items():
            items[item] += share * usd * 1e6
    items["total"] = sum(items[item] for item in LINE_ITEMS)
    items["total_without_email"] = items["total"] - items["ses"]
    return {item: round(usd, 4) for item, usd in items.items()}


def describe_assumptions(assumptions: Assumptions = ASSUMPTIONS) -> dict[str, Any]:
    return asdict(assumptions)
