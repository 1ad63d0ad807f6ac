"""The benchmark's table: results.json in, plain text out."""

import textwrap
from typing import Any

SERVICES = ("API Gateway", "Lambda", "SQS", "Step Functions", "DynamoDB", "SES")
COLUMNS = (
    ("create", "create"),
    ("+retry", "create_workflow_retry"),
    ("+rerun", "create_failed_run"),
    ("invoice", "invoice"),
    ("shipment", "shipment"),
    ("refund", "refund"),
    ("cancel", "cancel"),
)
DELTAS = ("create_workflow_retry", "create_failed_run")
# What one order creation needs at the least, in this design (one Lambda per step, the alert
# and history model of DESIGN.md), and why. Compared with the `create` column.
MINIMUM: dict[str, tuple[float, str]] = {
    "API Gateway": (1, "the channel's one request"),
    "Lambda": (5, "api, dispatcher, delivery, record outcome, callback (authorizer cached 300 s)"),
    "SQS": (3, "send, receive, delete; 1.2 when batches of 10 fill"),
    "Step Functions": (1, "one Express run"),
    "DynamoDB": (
        9,
        "accept 2 (the channel's rate-limit bucket, the operation), delivery 5 (order read and "
        "write, 3 history records), outcome 2 (operation status, alert)",
    ),
    "SES": (0, "no email on success"),
    "write units": (
        15,
        "rate-limit bucket 1, operation 2, order 1, 3 history records + their day-index entry 6, "
        "alert + 4 index entries 5",
    ),
    "read units": (1, "the order's state (strongly consistent); config is cached"),
}
COST_ROWS = (
    ("API Gateway", "api_gateway"),
    ("Lambda requests", "lambda_requests"),
    ("Lambda duration", "lambda_duration"),
    ("SQS", "sqs"),
    ("Step Functions", "step_functions"),
    ("DynamoDB writes", "dynamodb_write"),
    ("DynamoDB reads", "dynamodb_read"),
    ("CloudWatch Logs", "logs"),
    ("SES (email)", "ses"),
)


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rows(rows: list[list[str]], right_from: int = 1) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(widths[i]) if i < right_from else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _figure(value: float | None, money: bool) -> str:
    if value is None:
        return "n/a"
    return f"${value:.2f}" if money else _number(value)


def _target_rows(results: dict[str, Any]) -> list[str]:
    rows = [["figure", "value", "target", "verdict"]]
    for name, target in results["targets"].items():
        value, limit, money = target["value"], target.get("limit"), bool(target.get("money"))
        # A target is an upper bound unless it says it is a floor (operations per second).
        at_least = bool(target.get("at_least"))
        if limit is None:
            verdict = target.get("note", "")
        elif value is None:
            verdict = "not measured"
        elif (value >= limit) if at_least else (value <= limit):
            verdict = "met"
        else:
            missed = abs(value - limit)
            verdict = f"MISSED by {_figure(missed, True) if money else f'{missed:.2f}'}"
        sign = ">=" if at_least else "<="
        bound = "-" if limit is None else f"{sign} {_figure(limit, money)}"
        rows.append([name, _figure(value, money), bound, verdict])
    return _rows(rows, right_from=1)


def _cold_rows(cold: dict[str, Any]) -> list[str]:
    rows = [["function", "clients", "handler ms", "floor ms", "ratio", "libraries ms", "ratio"]]
    for function, entry in sorted(cold["functions"].items()):
        rows.append(
            [
                function,
                ",".join(entry["clients"]),
                _number(entry["handler_ms"], 0),
                _number(entry["floor_ms"], 0),
                f"{entry['ratio']:.2f}",
                _number(entry["libraries_ms"], 0),
                f"{entry['libraries_ratio']:.2f}",
            ]
        )
    return _rows(rows, right_from=2)


def _request_rows(scenarios: dict[str, Any]) -> list[str]:
    def figure(scenario: str, service: str) -> float:
        profile = scenarios[scenario]
        if service == "write units":
            units = profile["dynamodb_units"]
            return float(units["write"] + units["index_write"])
        if service == "read units":
            return float(profile["dynamodb_units"]["read"])
        if service == "transitions":
            return float(profile["transitions"])
        return float(profile["requests_by_service"][service])

    rows = [["per operation", *(label for label, _ in COLUMNS), "minimum"]]
    for service in (*SERVICES, "write units", "read units", "transitions"):
        cells = []
        for _, scenario in COLUMNS:
            value = figure(scenario, service)
            if scenario in DELTAS:
                value -= figure("create", service)
                cells.append(f"+{_number(value)}" if value >= 0 else _number(value))
            else:
                cells.append(_number(value))
        minimum = MINIMUM.get(service)
        rows.append([service, *cells, _number(minimum[0]) if minimum else "-"])
    return _rows(rows)


def _cost_rows(cost: dict[str, Any]) -> list[str]:
    columns = [("ordersync (Express)", cost["express"]), ("same on Standard", cost["standard"])]
    if "provisioned" in cost:  # runs before it had the column still render
        columns.append(("DynamoDB provisioned", cost["provisioned"]))
    rows = [["USD per million orders", *(label for label, _ in columns)]]
    for label, item in COST_ROWS:
        rows.append([label, *(f"{figures[item]:.2f}" for _, figures in columns)])
    rows.append(
        [
            "total, email excluded",
            *(f"{figures['total_without_email']:.2f}" for _, figures in columns),
        ]
    )
    return _rows(rows)


def _size(count: str) -> str:
    return f"{int(count) // 1000}k" if int(count) % 1000 == 0 else count


def _query_rows(query: dict[str, Any]) -> list[str]:
    sizes = sorted(query["sizes"], key=int)
    small, large = sizes[0], sizes[-1]
    rows = [
        [
            "filter (merchant +)",
            "index",
            f"read {_size(small)}",
            f"read {_size(large)}",
            "ratio",
            f"Scan {_size(small)}",
            f"Scan {_size(large)}",
            "ratio",
        ]
    ]
    for name, ratio in query["ratio"].items():
        a = query["sizes"][small]["filters"][name]
        b = query["sizes"][large]["filters"][name]
        rows.append(
            [
                name,
                a["index"],
                str(a["scanned"]),
                str(b["scanned"]),
                f"{ratio:.2f}",
                str(a["scan_baseline"]["scanned"]),
                str(b["scan_baseline"]["scanned"]),
                f"{query['scan_ratio'][name]:.2f}",
            ]
        )
    return _rows(rows, right_from=2)


def _breakdown(cost: dict[str, Any], create: dict[str, Any]) -> list[str]:
    durations = [
        f"{function.removesuffix('Function')} ${usd:.2f}"
        for function, usd in cost["create_lambda_duration_by_function"].items()
    ]
    tables = sorted(
        create["dynamodb_units"]["by_table"].items(),
        key=lambda item: -(item[1]["write"] + item[1]["index_write"]),
    )
    units = [
        f"{table.removesuffix('Table')} {_number(u['write'] + u['index_write'])}"
        + (f" ({_number(u['index_write'])} index)" if u["index_write"] else "")
        for table, u in tables
    ]
    return [
        *_wrapped("  a happy create's Lambda duration, per million: ", durations),
        *_wrapped("  a happy create's write units by table: ", units),
    ]


def _wrapped(first: str, items: list[str], width: int = 100) -> list[str]:
    """`first` and then `items`, comma-separated, broken between items to fit `width`."""
    lines = [first + items[0]]
    for item in items[1:]:
        if len(lines[-1]) + len(item) + 2 > width:
            lines[-1] += ","
            lines.append("    " + item)
        else:
            lines[-1] += f", {item}"
    return lines


def render(results: dict[str, Any]) -> str:
    pipeline, cost = results["pipeline"], results["cost"]
    scenarios = pipeline["scenarios"]
    assumptions = cost["assumptions"]
    throughput = pipeline["throughput"]
    lines = [
        f"ordersync benchmark ({results['date']}, local stack on moto, {results['machine']})",
        "",
        "Targets",
        *_target_rows(results),
        "",
        f"Cold start: CPU ms to import the handler and create its clients (median of "
        f"{results['cold_start']['runs']} fresh",
        "processes), over the floor: boto3 alone creating the same clients; libraries: the floor",
        "with the libraries the handler loads set up as it sets them up, no code of ours",
        *_cold_rows(results["cold_start"]),
        "",
        "AWS requests per operation, happy path; +retry: one Step Functions retry more;",
        "+rerun: a whole run that failed (3 attempts) and ran again after its backoff",
        *_request_rows(scenarios),
        "",
        f"Cost at list prices of {cost['prices_date']} ({cost['region']}); an order = "
        f"{_number(100 * cost['mix']['create'])}% happy, "
        f"{_number(100 * cost['mix']['create_workflow_retry'])}% +retry, "
        f"{_number(100 * cost['mix']['create_failed_run'])}% +rerun;",
        f"a platform request takes {_number(assumptions['platform_latency_ms'])} ms; "
        "DynamoDB provisioned: Express with the tables on provisioned capacity,",
        f"auto scaling at {_number(100 * assumptions.get('autoscaling_target_utilization', 0.7))}% "
        f"utilisation for a steady {assumptions.get('steady_orders_per_month', 1_000_000):,} "
        "orders a month",
        *_cost_rows(cost),
        *_breakdown(cost, scenarios["create"]),
        f"  each 100 ms more per platform request: +${cost['per_100ms_platform_latency']:.2f} "
        "per million orders",
        "",
        f"Query cost: items read (ScannedCount) for a page of {results['query']['page_size']} "
        "newest alerts of one merchant;",
        "the Scan baseline must read the whole table to find the newest",
        *_query_rows(results["query"]),
        "",
        f"Local throughput (trend only): {throughput['orders']} orders in "
        f"{_number(throughput['seconds'])} s: {_number(throughput['accepted_per_second'])} "
        f"accepted/s, {_number(throughput['synced_per_second'])} synced/s"
        + (f"; {throughput['refused']} refused" if throughput.get("refused") else ""),
        *textwrap.wrap(
            "Emails per 1,000 failing orders: " + results["emails"]["note"],
            width=100,
            subsequent_indent="    ",
        ),
    ]
    return "\n".join(lines) + "\n"
