"""The cold-start benchmark's helpers (bench.cold_start): what is deployed, which clients a
handler creates; and its first-request figure (bench.first_request)."""

import json
import subprocess
import sys

import pytest

from bench.cold_start import client_factories, clients_used, not_deployed, requirements
from local.template import ROOT


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
        "secretsmanager": "secretsmanager",
        "ses": "ses",
    }
    assert clients_used(["ordersync.config.repository"]) == ["dynamodb"]
    assert clients_used(["ordersync.operations.dispatch", "ordersync.operations.watch"]) == [
        "dynamodb",
        "sqs",
        "stepfunctions",
    ]


@pytest.mark.slow  # a local stack and a fresh interpreter per probe (about 20 s)
def test_the_first_request_figure_times_an_answer_that_did_its_work(tmp_path):
    """Import time alone would count a lazy import as a saving: `bench.first_request` adds the
    first invocation, so the console's figures must come from real answers (a signed-in page,
    an order page's 404), not from a redirect to the sign-in page."""
    output = tmp_path / "first.json"
    command = ["-m", "bench.first_request", "--runs", "1", "--only", "ConsoleFunction"]
    subprocess.run(
        [sys.executable, *command, "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(output.read_text())["functions"]
    assert figures["ConsoleFunction"]["answer"] == {"statusCode": 200}
    assert figures["ConsoleFunction, an order page"]["answer"] == {"statusCode": 404}
    for found in figures.values():
        assert 0 < found["import_ms"] < found["import_and_first_request_ms"]


def test_the_libraries_figure_loads_each_library_the_handler_did_and_no_code_of_ours():
    """A marker names a module its loader must import: were one to load nothing, the
    libraries figure would understate what the required stack costs."""
    from bench import required_stack
    from bench.cold_start import LAYER, PROBE, RUNTIME_PROVIDES

    handler_modules = ["ordersync.api.app", "jinja2.environment", "pydantic.main"]
    assert required_stack.required_by(handler_modules) == []
    # In the order the handler imported them: powertools' batch utility costs more after pydantic.
    assert required_stack.required_by([*handler_modules, "jinja2", "httpx", "pydantic"]) == [
        "jinja2",
        "httpx",
        "pydantic",
    ]
    spec = {
        "denied": not_deployed([*requirements(), *RUNTIME_PROVIDES]),
        "function_dir": None,
        "layer": str(LAYER),
        "clients": ["dynamodb"],
        "libraries": list(required_stack.ENTRY_POINTS),
    }
    result = subprocess.run(
        [sys.executable, "-I", str(PROBE), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "false"},
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(required_stack.ENTRY_POINTS) <= set(found["modules"])
    assert not any(module.startswith("ordersync") for module in found["modules"])
    assert found["ms"] > 0
