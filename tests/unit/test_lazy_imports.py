"""What only some integrations need is not imported at cold start (make bench measures it)."""

import json
import subprocess
import sys

import pytest

from local.template import ROOT, LocalTemplate

PROBE = """
import sys
import ordersync.delivery.service
print(sorted({name.split(".")[0] for name in sys.modules} & {"jinja2", "jsonschema"}))
"""


def _fresh(code: str) -> str:
    """What `code` prints in a fresh interpreter, where nothing is imported yet."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.slow  # a fresh interpreter, like the cold-import checks (1-14 s on a busy machine)
def test_delivering_without_a_template_or_schema_loads_neither_jinja2_nor_jsonschema():
    assert _fresh(PROBE) == "[]"


MAIL_PROBE = """
import sys
import ordersync.notifications.changes, ordersync.notifications.service
import ordersync.notifications.unsynced, ordersync.reports.service
print("jinja2" in sys.modules)
"""


@pytest.mark.slow
def test_the_mail_senders_load_jinja2_with_their_first_email_not_at_import():
    """The notifier's stream records mostly send nothing now (a digest later, or nothing to
    tell), and most of the report's quarter-hours have no report due."""
    assert _fresh(MAIL_PROBE) == "False"


FUNCTION_PROBE = """
import json, sys
sys.path[:0] = [sys.argv[2], "layers/common"]
import app
print(json.dumps(sorted(set(sys.modules) & set(json.loads(sys.argv[1])))))
"""


def _cold_imports(logical_id: str, modules: list[str]) -> list[str]:
    """Which of `modules` the function's handler imports, in a fresh interpreter with the
    function's environment (its Tracer on, as deployed)."""
    from bench.cold_start import function_environment

    template = LocalTemplate.load()
    code_dir = str(template.functions[logical_id].code_dir)
    result = subprocess.run(
        [sys.executable, "-c", FUNCTION_PROBE, json.dumps(modules), code_dir],
        cwd=ROOT,
        env=function_environment(template, logical_id),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.slow
def test_the_console_imports_neither_httpx_nor_the_action_machinery_at_cold_start():
    """Its Tracer patches botocore only (the console sends nothing through httpx), and the
    actions (bulk jobs, resend bodies) come with the first order page or action, the exports
    with the first export, not with a first page that is a list."""
    unwanted = ["httpx", "ordersync.console.acting", "ordersync.actions.jobs", "ordersync.exports"]
    assert _cold_imports("ConsoleFunction", unwanted) == []


@pytest.mark.slow
def test_a_resolve_link_imports_neither_the_unsubscribe_page_nor_the_actions_service():
    """The link's GET shows the alert; the action (POST) and the unsubscribe page bring their
    own modules with their first request."""
    unwanted = ["ordersync.web.unsubscribe", "ordersync.actions.service", "ordersync.reports.store"]
    assert _cold_imports("ResolvePageFunction", unwanted) == []


@pytest.mark.slow
def test_the_x_ray_sdk_and_its_patches_import_no_asyncio():
    """wrapt 2 imported asyncio (about 10 ms of every traced cold start): pyproject holds it
    below 2. (The HTTP functions still import asyncio: powertools' event handler package
    imports its AppSync resolver, which does.)"""
    probe = (
        "import sys, aws_xray_sdk.core, aws_xray_sdk.ext.botocore.patch, "
        "aws_xray_sdk.ext.httpx.patch; print('asyncio' in sys.modules)"
    )
    assert _fresh(probe) == "False"


@pytest.mark.slow
def test_a_function_that_serves_no_route_imports_no_event_handler():
    """The bulk actions reach `orders.fields` through the resend bodies; powertools' `Path` (the
    order id as a path parameter, `api/paths.py`) imported the whole event handler package with
    it, every resolver and their data classes."""
    probe = (
        "import sys; sys.path.insert(0, 'layers/common'); import ordersync.actions.jobs, "
        "ordersync.orders.fields; print('aws_lambda_powertools.event_handler' in sys.modules)"
    )
    assert _fresh(probe) == "False"


@pytest.mark.slow
def test_the_merchant_api_imports_the_action_machinery_with_its_first_action():
    """Its routes name only the actions' answers (actions.models); the service, the bulk
    runner and the jobs, with the order lifecycle and payload models, come with the first
    action, not with a first request that is a list."""
    unwanted = [
        "ordersync.actions.service",
        "ordersync.actions.bulk",
        "ordersync.actions.jobs",
        "ordersync.orders.lifecycle",
        "ordersync.orders.payloads",
    ]
    assert _cold_imports("MerchantApiFunction", unwanted) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "logical_id",
    ["DispatcherFunction", "BulkActionsFunction", "ExportFunction", "NotifierFunction"],
)
def test_the_sqs_consumers_import_powertools_batch_before_pydantic(logical_id):
    """powertools' batch utility imports its parser models (pydantic models for SQS, Kinesis,
    Kafka and DynamoDB records) when pydantic is already imported; a consumer that imported
    `ordersync` first would build them all at every cold start (found by the benchmark's
    libraries probe, bench/required_stack.py)."""
    assert _cold_imports(logical_id, ["aws_lambda_powertools.utilities.parser"]) == []
