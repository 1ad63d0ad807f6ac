"""The benchmark's arithmetic: capacity units, transitions, cost, and the table (no AWS)."""

import json
from collections import Counter

import pytest

from bench import cost
from bench.__main__ import assemble
from bench.cold_start import client_factories, clients_used, not_deployed, requirements
from bench.dynamo_meter import table_shapes
from bench.dynamo_units import Index, TableShape, item_size, read_units, write_cost
from bench.profiles import profile
from bench.recorder import Counts
from bench.report import render
from bench.transitions import retries, transitions, walk
from local.template import ROOT, LocalTemplate

ALERTS = TableShape(
    "Alerts",
    ("pk", "sk"),
    (
        Index("by-updated", ("merchantId", "updatedAt"), "ALL"),
        Index("by-created", ("merchantId", "createdAt"), "KEYS_ONLY"),
        Index("needs-action", ("needsAction", "updatedAt"), "ALL"),
    ),
)


def alert_item(updated: str, *, needs_action: bool = False, note: str = "x") -> dict:
    item = {
        "pk": {"S": "m1"},
        "sk": {"S": "erp#order#1"},
        "merchantId": {"S": "m1"},
        "createdAt": {"S": "2026-11-24T09:00:00.000Z"},
        "updatedAt": {"S": updated},
        "note": {"S": note},
    }
    if needs_action:
        item["needsAction"] = {"S": "m1"}
    return item


# ---------------------------------------------------------------- DynamoDB units
def test_item_size_counts_names_and_values_as_dynamodb_does():
    assert item_size({"ab": {"S": "héllo"}}) == 2 + 6
    assert item_size({"n": {"N": "123.450"}}) == 1 + 4  # 5 significant digits: 3 bytes + 1
    assert item_size({"n": {"N": "0"}}) == 1 + 2
    assert item_size({"b": {"B": b"\x00\x01\x02"}, "t": {"BOOL": True}}) == 1 + 3 + 1 + 1
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_size({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
    assert item_size({"s": {"SS": ["a", "bc"]}}) == 1 + 3
    assert item_size(None) == 0


def test_capacity_units_round_up_by_kilobyte_for_writes_and_four_for_reads():
    assert read_units(0, consistent=False) == 0.5  # nothing found still costs
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=False) == 1
    small = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    big = {**small, "doc": {"S": "x" * 1500}}
    plain = TableShape("t", ("pk", "sk"))
    assert write_cost(plain, None, small).total == 1
    assert write_cost(plain, big, small).total == 2, "the larger of before and after"
    assert write_cost(plain, None, None).total == 1, "deleting nothing still costs a unit"
    assert write_cost(plain, big, None, applied=False).total == 2
    assert write_cost(plain, None, small, transactional=True).total == 2


def test_index_writes_follow_key_changes_projections_and_sparse_keys():
    first = write_cost(ALERTS, None, alert_item("t1", needs_action=True))
    assert (first.table_units, first.index_units) == (1, 3)
    # updatedAt moves: by-updated and needs-action each remove and add; by-created is unchanged.
    moved = write_cost(
        ALERTS, alert_item("t1", needs_action=True), alert_item("t2", needs_action=True)
    )
    assert moved.index_units == 4
    # Only a projected attribute changes: ALL indexes rewrite once, KEYS_ONLY not at all.
    noted = write_cost(ALERTS, alert_item("t1"), alert_item("t1", note="y"))
    assert noted.index_units == 1
    # Leaving the sparse index costs one removal there (and by-updated moves: 2).
    resolved = write_cost(ALERTS, alert_item("t1", needs_action=True), alert_item("t2"))
    assert resolved.index_units == 1 + 2
    assert write_cost(ALERTS, alert_item("t1"), alert_item("t1"), applied=False).index_units == 0


def test_table_shapes_come_from_the_template():
    shapes = table_shapes(LocalTemplate.load().sam)
    alerts = shapes["AlertsTable"]
    assert alerts.keys == ("pk", "sk")
    assert {index.name for index in alerts.indexes} == {
        "by-updated",
        "by-created",
        "by-code",
        "by-level",
        "needs-action",
    }
    assert shapes["ConfigTable"].indexes == ()


# ---------------------------------------------------------------- transitions
HAPPY = [
    "ExecutionStarted",
    "ChoiceStateEntered",
    "ChoiceStateExited",
    *["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionSucceeded", "TaskStateExited"]
    * 3,
    "ChoiceStateEntered",
    "ChoiceStateExited",
    "SucceedStateEntered",
    "ExecutionSucceeded",
]


def test_a_transition_per_state_entered_and_per_retry():
    assert transitions(HAPPY) == 6
    retried = [*HAPPY[:4], "LambdaFunctionScheduled", "LambdaFunctionFailed", *HAPPY[4:]]
    assert retries(retried) == 1
    assert transitions(retried) == 7


def test_the_asl_walk_of_a_create_matches_what_the_executions_show():
    definition = json.loads((ROOT / "statemachines/order_operation.asl.json").read_text())
    with_callback = walk(
        definition, {"message": {"operation": "create"}, "recorded": {"callback": True}}
    )
    assert with_callback == [
        "RouteOperation",
        "DeliverOrderCreate",
        "RecordOutcome",
        "CallbackWanted",
        "AlertCallback",
        "Done",
    ]
    without = walk(definition, {"message": {"operation": "refund"}, "recorded": {}})
    assert without[1] == "DeliverOrderRefund"
    assert len(without) == 5


# ---------------------------------------------------------------- cost
PRICES = cost.load_prices()


def scenario(**overrides) -> dict:
    base = {
        "requests_by_service": {
            "API Gateway": 1.0,
            "Lambda": 2.0,
            "SQS": 3.0,
            "Step Functions": 1.0,
            "DynamoDB": 4.0,
            "SES": 0.0,
        },
        "lambda_invocations": {"DispatcherFunction": 1.0, "OrderCreateFunction": 1.0},
        "lambda_ms": {"DispatcherFunction": 250.0, "OrderCreateFunction": 100.0},
        "platform_calls": {"OrderCreateFunction": 2.0},
        "express_executions": 1.0,
        "execution_ms": [230.0],
        "transitions": 6.0,
        "dynamodb_units": {
            "read": 2.0,
            "write": 8.0,
            "index_write": 2.0,
            "by_table": {"HistoryTable": {"read": 0.0, "write": 8.0, "index_write": 2.0}},
        },
        "log_bytes": {"OrderCreateFunction": 600.0},
    }
    return {**base, **overrides}


MEMORY = {"DispatcherFunction": 1024, "OrderCreateFunction": 512}
NO_WAIT = cost.Assumptions(platform_latency_ms=0, lambda_platform_log_bytes=200)


def test_an_operation_costs_its_counts_times_list_prices():
    items = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT)
    assert items["api_gateway"] == pytest.approx(1e-6)
    assert items["lambda_requests"] == pytest.approx(2 * 2e-7)
    # 1 GB for 250 ms and 0.5 GB for 100 ms = 0.3 GB-s
    assert items["lambda_duration"] == pytest.approx(0.3 * 1.33334e-5)
    assert items["sqs"] == pytest.approx(3 * 4e-7)
    # Express: the request, and 300 ms (230 rounded up) of 64 MB
    assert items["step_functions"] == pytest.approx(1e-6 + 0.3 * 0.0625 * 1.66667e-5)
    assert items["dynamodb_write"] == pytest.approx(10 * 6.25e-7)
    assert items["dynamodb_read"] == pytest.approx(2 * 1.25e-7)
    assert items["logs"] == pytest.approx((600 + 2 * 200) / 1e9 * 0.5)


def test_platform_latency_is_paid_by_the_caller_the_waiting_dispatcher_and_express():
    slow = cost.Assumptions(platform_latency_ms=100, lambda_platform_log_bytes=200)
    fast = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT)
    slowed = cost.operation_cost(scenario(), MEMORY, PRICES, slow)
    # 200 ms more for the 0.5 GB delivery function, and for the 1 GB dispatcher waiting on it
    extra = (0.5 * 0.2 + 1 * 0.2) * 1.33334e-5
    assert slowed["lambda_duration"] - fast["lambda_duration"] == pytest.approx(extra)
    assert slowed["step_functions"] - fast["step_functions"] == pytest.approx(
        0.2 * 0.0625 * 1.66667e-5
    )


def test_standard_bills_transitions_and_its_dispatcher_does_not_wait():
    items = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT, standard=True)
    assert items["step_functions"] == pytest.approx(6 * 2.5e-5)
    # the dispatcher keeps its own 20 ms (250 - 230) only
    assert items["lambda_duration"] == pytest.approx((1 * 0.02 + 0.5 * 0.1) * 1.33334e-5)


def test_an_order_mixes_first_time_successes_retries_and_reruns():
    scenarios = {
        "create": scenario(),
        "create_workflow_retry": scenario(transitions=7.0),
        "create_failed_run": scenario(transitions=14.0),
    }
    assumptions = cost.Assumptions(workflow_retry_share=0.1, failed_run_share=0.1)
    standard = cost.cost_per_million_orders(scenarios, MEMORY, PRICES, assumptions, standard=True)
    assert standard["step_functions"] == pytest.approx((0.8 * 6 + 0.1 * 7 + 0.1 * 14) * 25)
    assert standard["total_without_email"] == pytest.approx(standard["total"] - standard["ses"])


def test_prices_name_their_sources_and_date():
    assert PRICES["date"]
    for price in PRICES["prices"].values():
        assert price["source"].startswith("https://aws.amazon.com/")
        assert price["usd"] > 0


def test_memory_comes_from_the_template_globals_and_overrides():
    memory = cost.memory_by_function(LocalTemplate.load().sam)
    assert set(memory) == set(LocalTemplate.load().functions)
    assert all(size >= 128 for size in memory.values())


# ---------------------------------------------------------------- cold start helpers
def test_the_deployed_set_keeps_the_layer_and_boto3_and_refuses_dev_tools():
    denied = set(not_deployed([*requirements(), "boto3"]))
    assert {"pydantic", "httpx", "jinja2", "boto3", "botocore", "aws_xray_sdk"}.isdisjoint(denied)
    assert {"moto", "pytest", "rich", "awscrt"} <= denied
    floor_denied = set(not_deployed(["boto3"]))
    assert {"pydantic", "aws_lambda_powertools"} <= floor_denied
    assert "botocore" not in floor_denied


def test_clients_are_read_from_the_aws_factories_the_imported_modules_call():
    assert client_factories() == {
        "dynamodb": "dynamodb",
        "sqs": "sqs",
        "stepfunctions": "stepfunctions",
    }
    assert clients_used(["ordersync.config.repository"]) == ["dynamodb"]
    assert clients_used(["ordersync.operations.dispatch", "ordersync.operations.watch"]) == [
        "dynamodb",
        "sqs",
        "stepfunctions",
    ]


# ---------------------------------------------------------------- per operation, and the table
def test_counts_become_figures_per_operation_without_the_scheduled_sweeps():
    counts = Counts()
    counts.requests.update(
        {
            ("ApiFunction", "sqs", "SendMessage"): 2,
            ("ApiFunction", "dynamodb", "PutItem"): 4,
            ("scheduled:SweeperFunction", "dynamodb", "Query"): 3,
        }
    )
    counts.invocations.update({"ApiFunction": 2, "scheduled:SweeperFunction": 1})
    counts.durations_ms["ApiFunction"] += [10.0, 30.0]
    counts.write_units.update({("ApiFunction", "OperationsTable"): 4})
    counts.platform_calls = Counter()
    shown = profile("burst", counts, [{"transitions": 6, "duration_ms": 5.0, "states": []}], 2, 2)
    assert shown["requests_by_service"]["SQS"] == 1
    assert shown["requests_by_service"]["DynamoDB"] == 2
    assert shown["requests_by_service"]["API Gateway"] == 1
    assert shown["lambda_ms"] == {"ApiFunction": 20.0}
    assert shown["dynamodb_units"]["write"] == 2
    assert shown["transitions"] == 3
    assert shown["lambda_invocations"] == {"ApiFunction": 1}
    assert shown["scheduled_invocations_not_counted"] == {"scheduled:SweeperFunction": 1}


def test_the_table_shows_every_figure_and_says_what_misses_its_target():
    scenarios = {
        name: {**scenario(), "scenario": name}
        for name in (
            "create",
            "create_workflow_retry",
            "create_failed_run",
            "invoice",
            "shipment",
            "refund",
            "cancel",
        )
    }
    cold = {
        "runs": 3,
        "cold_start_ratio_max": 1.5,
        "functions": {
            "ApiFunction": {
                "clients": ["dynamodb", "sqs"],
                "handler_ms": 300.0,
                "floor_ms": 200.0,
                "ratio": 1.5,
            }
        },
    }
    filters = {"scanned": 50, "index": "by-code", "scan_baseline": {"scanned": 1000}}
    query = {
        "page_size": 50,
        "sizes": {
            "1000": {"filters": {"one code": filters}},
            "20000": {"filters": {"one code": {**filters, "scan_baseline": {"scanned": 20000}}}},
        },
        "ratio": {"one code": 1.0},
        "scan_ratio": {"one code": 20.0},
        "query_scanned_ratio_max": 1.0,
    }
    pipeline = {
        "scenarios": scenarios,
        "throughput": {
            "orders": 10,
            "seconds": 2.0,
            "accepted_per_second": 20.0,
            "synced_per_second": 5.0,
        },
        "asl_happy_path_create": ["a"] * 6,
    }
    results = assemble(cold, query, pipeline)
    assert results["transitions_per_create"] == 6
    assert results["emails_per_1000_failing_orders"] is None
    for key in (
        "cold_start_ratio_max",
        "cost_per_million_orders_usd",
        "cost_per_million_orders_standard_usd",
        "query_scanned_ratio_max",
    ):
        assert isinstance(results[key], float)
    table = render(results)
    assert "cold start ratio, max" in table
    assert "MISSED by 0.2" in table
    assert "ApiFunction" in table
    assert "one code" in table
    assert "write units by table: History 10 (2 index)" in table
    assert "Emails per 1,000 failing orders: not measurable yet" in table
