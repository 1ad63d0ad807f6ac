"""The figures of one scenario run on the local stack, from what the recorder counted
(`bench.recorder.Counts`): AWS requests by service, DynamoDB units by table, Lambda invocations
and durations, platform calls and log bytes, transitions, per operation, with the scheduled
functions' work set apart; and the median of repeated runs.
"""

import statistics
from typing import Any

from bench.recorder import POLLER, SCHEDULED, Counts

# Front-door functions: the HTTP API invokes them (API Gateway requests are counted apart).
SERVICES = ("API Gateway", "Lambda", "SQS", "Step Functions", "DynamoDB", "SES")
BOTO_SERVICE = {
    "sqs": "SQS",
    "stepfunctions": "Step Functions",
    "dynamodb": "DynamoDB",
    "ses": "SES",
}
WRITE_FIELDS = ("actor", "request", "table", "bytes_before", "bytes_after", "units", "index_units")
WRITES_KEPT = 60


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


def median_profile(runs: list[dict[str, Any]]) -> dict[str, Any]:
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
