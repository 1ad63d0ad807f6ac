"""The benchmark's results (bench.__main__.assemble) and the table printed from them
(bench.report), no AWS."""

from bench.__main__ import assemble
from bench.report import render
from tests.factories import bench_scenario as scenario


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
        "cold_start_ratio_max": 1.7,
        "libraries_ratio_max": 1.55,
        "functions": {
            "ApiFunction": {
                "clients": ["dynamodb", "sqs"],
                "handler_ms": 340.0,
                "floor_ms": 200.0,
                "ratio": 1.7,
                "libraries": ["pydantic", "aws_lambda_powertools.logging"],
                "libraries_ms": 310.0,
                "libraries_ratio": 1.55,
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
    assert "its libraries alone, max" in table
    api_row = next(line for line in table.splitlines() if line.strip().startswith("ApiFunction"))
    assert api_row.split()[-2:] == ["310", "1.55"]
    units = results["cost"]["write_units_per_order"]
    assert units > 0
    # Writes are the rest: a dollar under the target is that many more units within it.
    headroom = 15.0 - results["cost_per_million_orders_usd"]
    unit_usd = results["cost"]["express"]["dynamodb_write"] / units
    within = results["cost"]["write_units_per_order_within_target"]
    assert abs(within - units - headroom / unit_usd) < 0.02
    assert (
        f"the cost target leaves {results['cost']['write_units_per_order_within_target']:.1f}"
        in table
    )
    assert "one code" in table
    assert "write units by table: History 10 (2 index)" in table
    assert "Emails per 1,000 failing orders: not measured in this run" in table


def test_the_emails_figure_stands_beside_its_bound():
    from bench.__main__ import emails

    burst = {
        "orders": 1000,
        "recipients": 2,
        "windows": 1,
        "immediate": 2,
        "digests": 2,
        "emails": 4,
        "emails_per_1000_failing_orders": 4.0,
        "bound": 4,
    }
    figure = emails({"scenarios": {"create": {"requests_by_service": {"SES": 0.0}}}}, burst)
    assert figure["value"] == 4.0
    assert figure["bound"] == 4.0
    assert "4 emails for 1000 orders" in figure["note"]


def test_a_floor_target_is_met_from_above_and_missed_from_below():
    from bench.report import _target_rows

    def verdict(value: float) -> str:
        rows = _target_rows(
            {"targets": {"ops/s": {"value": value, "limit": 10.0, "at_least": True}}}
        )
        return rows[-1]

    assert ">= 10" in verdict(12.5)
    assert verdict(12.5).rstrip().endswith("met")
    assert "MISSED by 4.50" in verdict(5.5)
