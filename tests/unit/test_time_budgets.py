"""Each timeout is derived from the one above it: a run's lease outlives one whole workflow (the
state machine's TimeoutSeconds, which every function is told), each delivery task's timeout
holds its Lambda, and a platform call's timeout is cut to the delivery Lambda's time left."""

import json
import time

import httpx
import pytest
from samcli.yamlhelper import yaml_parse

from local.template import TEMPLATE
from ordersync.catalog.platform import PlatformConnectionError, PlatformTimeout
from ordersync.config.models import Integration
from ordersync.core.models import OperationType
from ordersync.delivery import connector
from ordersync.delivery.connector import RESERVE_SECONDS, PlatformConnector
from ordersync.operations.leases import AROUND_A_RUN_SECONDS
from tests.factories import ROOT

SAM = yaml_parse(TEMPLATE.read_text())
RESOURCES = SAM["Resources"]
GLOBALS = SAM["Globals"]["Function"]
ASL = json.loads((ROOT / "statemachines/order_operation.asl.json").read_text())
ARNS = RESOURCES["OrderOperationStateMachine"]["Properties"]["DefinitionSubstitutions"]


def _function(logical_id):
    return RESOURCES[logical_id]["Properties"]


def test_every_function_knows_the_workflow_s_limit_and_a_lease_outlives_a_run():
    workflow = ASL["TimeoutSeconds"]
    told = int(GLOBALS["Environment"]["Variables"]["WORKFLOW_TIMEOUT_SECONDS"])
    # The lease (leases.lease_seconds: what the functions are told, and what surrounds a run)
    # outlives the run, so no other run takes it while this one may still record its end.
    assert told == workflow
    assert AROUND_A_RUN_SECONDS >= 10
    # SQS must not hand a message to a second consumer while the first may still start it.
    dispatcher = _function("DispatcherFunction")
    assert RESOURCES["OperationsQueue"]["Properties"]["VisibilityTimeout"] >= dispatcher["Timeout"]


def test_every_task_s_timeout_holds_its_lambda_s_and_fits_in_the_workflow():
    for name, state in ASL["States"].items():
        if state["Type"] != "Task":
            continue
        logical_id = ARNS[state["Resource"].strip("${}")]["Fn::GetAtt"][0]
        function_timeout = _function(logical_id).get("Timeout", 10)
        assert state["TimeoutSeconds"] >= function_timeout, name
        assert state["TimeoutSeconds"] < ASL["TimeoutSeconds"], name


def _integration(timeout: float = 10.0) -> Integration:
    return Integration(
        integration_id="erp",
        merchant_id="m",
        name="ERP",
        base_url="http://platform.test",
        timeout_seconds=timeout,
    )


@pytest.fixture
def timeouts(monkeypatch):
    """The read timeout each platform call was given."""
    seen: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, json={})

    client = httpx.Client(base_url="http://platform.test", transport=httpx.MockTransport(answer))
    monkeypatch.setattr(connector, "_client", lambda integration: client)
    return seen


def test_a_call_gets_the_function_s_time_left_less_the_reserve_at_most_its_own(timeouts):
    soon = PlatformConnector(_integration(10), deadline=time.monotonic() + 8)
    later = PlatformConnector(_integration(10), deadline=time.monotonic() + 60)

    soon.send(OperationType.CREATE, {}, idempotency_key="k", order_id="o")
    later.send(OperationType.CREATE, {}, idempotency_key="k", order_id="o")

    assert 8 - RESERVE_SECONDS - 0.5 < timeouts[0] <= 8 - RESERVE_SECONDS
    assert timeouts[1] == 10


def test_no_call_is_made_without_time_to_wait_for_its_answer(timeouts):
    spent = PlatformConnector(_integration(10), deadline=time.monotonic() + RESERVE_SECONDS)

    with pytest.raises(PlatformConnectionError) as refused:
        spent.lookup_order("o")

    assert timeouts == []
    assert refused.value.ambiguous is False  # nothing was sent: a creation need not look it up


def test_a_timeout_names_the_time_it_was_given(monkeypatch):
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = httpx.Client(base_url="http://platform.test", transport=httpx.MockTransport(too_slow))
    monkeypatch.setattr(connector, "_client", lambda integration: client)

    with pytest.raises(PlatformTimeout, match=r"within (4\.9|5\.0)s"):
        PlatformConnector(_integration(10), deadline=time.monotonic() + 8).lookup_order("o")
