"""The benchmark's cost arithmetic (bench.cost): counts times list prices, no AWS."""

import pytest

from bench import cost
from local.template import LocalTemplate
from tests.factories import bench_scenario as scenario

PRICES = cost.load_prices()


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


def test_platform_latency_is_paid_by_the_caller_and_express_not_the_dispatcher():
    slow = cost.Assumptions(platform_latency_ms=100, lambda_platform_log_bytes=200)
    fast = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT)
    slowed = cost.operation_cost(scenario(), MEMORY, PRICES, slow)
    # 200 ms more for the 0.5 GB delivery function; the dispatcher started the run and left
    extra = 0.5 * 0.2 * 1.33334e-5
    assert slowed["lambda_duration"] - fast["lambda_duration"] == pytest.approx(extra)
    assert slowed["step_functions"] - fast["step_functions"] == pytest.approx(
        0.2 * 0.0625 * 1.66667e-5
    )


def test_standard_bills_transitions_and_the_same_lambda_time():
    items = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT, standard=True)
    express = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT)
    assert items["step_functions"] == pytest.approx(6 * 2.5e-5)
    assert items["lambda_duration"] == pytest.approx(express["lambda_duration"])


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


def test_provisioned_capacity_prices_a_unit_as_a_second_of_capacity_at_the_target_utilisation():
    on_demand = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT)
    provisioned = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT, provisioned=True)
    # 10 write units and 2 read units, each a second of capacity paid for at 70 % utilisation
    assert provisioned["dynamodb_write"] == pytest.approx(10 * 6.5e-4 / (3600 * 0.7))
    assert provisioned["dynamodb_read"] == pytest.approx(2 * 1.3e-4 / (3600 * 0.7))
    assert provisioned["dynamodb_write"] < on_demand["dynamodb_write"] / 2
    unchanged = set(cost.LINE_ITEMS) - {"dynamodb_write", "dynamodb_read"}
    assert all(provisioned[item] == on_demand[item] for item in unchanged)


def test_a_steady_million_orders_a_month_needs_the_capacity_the_units_add_up_to():
    write_unit, _ = cost.unit_prices(PRICES, provisioned=True)
    units_per_order = 26
    seconds = 730 * 3600
    capacity = units_per_order * 1_000_000 / seconds / 0.7
    assert write_unit * units_per_order * 1_000_000 == pytest.approx(capacity * 730 * 6.5e-4)


def _functions(logging: dict[str, dict[str, str]], globals_: dict[str, str] | None = None):
    resources = {
        name: {"Type": "AWS::Serverless::Function", "Properties": {"LoggingConfig": config}}
        for name, config in logging.items()
    }
    return {"Globals": {"Function": {"LoggingConfig": globals_ or {}}}, "Resources": resources}


def test_lambdas_own_lines_are_counted_only_where_the_system_log_level_lets_them_through():
    sam = _functions(
        {"DispatcherFunction": {}, "OrderCreateFunction": {"SystemLogLevel": "INFO"}},
        globals_={"LogFormat": "JSON", "SystemLogLevel": "WARN"},
    )
    assert cost.platform_log_bytes_by_function(sam, NO_WAIT) == {
        "DispatcherFunction": 0,
        "OrderCreateFunction": 200,
    }
    # The Text format cannot filter them, whatever level it names.
    text = _functions({"DispatcherFunction": {"LogFormat": "Text", "SystemLogLevel": "WARN"}})
    assert cost.platform_log_bytes_by_function(text, NO_WAIT) == {"DispatcherFunction": 200}


def test_the_templates_functions_write_no_platform_lines_and_the_logs_bill_only_their_own():
    platform = cost.platform_log_bytes_by_function(LocalTemplate.load().sam)
    assert set(platform.values()) == {0}
    items = cost.operation_cost(scenario(), MEMORY, PRICES, NO_WAIT, platform_log_bytes=platform)
    assert items["logs"] == pytest.approx(600 / 1e9 * 0.5)
