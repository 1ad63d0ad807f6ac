"""The workflow's first delivery attempt takes the run lease under its execution's name, counting
the run and that attempt in one write; a Step Functions retry within the execution carries on its
lease and counts its own attempt; a twin of the execution (Step Functions runs asynchronous
Express executions at least once) finds the lease held and delivers nothing."""

import json
import sys

import pytest

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.core import aws
from ordersync.history.repository import HistoryStore
from ordersync.operations import leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore
from tests.factories import task_event

EXECUTION = "00000000-0000-0000-0000-0000000000a7-0123456789ab"


@pytest.fixture
def message(demo_create):
    return demo_create("00000000-0000-0000-0000-0000000000a7")


@pytest.fixture
def order_create():
    load_handler(LocalTemplate.load().functions["OrderCreateFunction"])
    return sys.modules["ordersync_local_OrderCreateFunction"].lambda_handler


def _task_event(message, retry_count, execution=EXECUTION):
    return task_event(message, retry_count, execution)


def _history(message):
    return HistoryStore().for_entity(message.merchant_id, message.entity_key)


def test_the_lease_counts_the_run_and_its_first_attempt_in_one_write(message, operation_writes):
    taken = leases.acquire(message.operation_id, "receive-1", 60)
    assert (taken.lease, taken.run, taken.attempt) == (Lease.TAKEN, 1, 1)
    assert operation_writes == ["UpdateItem"]
    assert OperationStore().get(message.operation_id).attempts == 1


def test_the_first_try_takes_the_lease_and_delivers_with_its_counted_attempt(
    stack, message, order_create, operation_writes
):
    summary = order_create(_task_event(message, 0), LambdaContext("OrderCreateFunction", 40))
    assert (summary["run"], summary["attempt"]) == (1, 1)
    assert operation_writes == ["UpdateItem"], "the lease's write only"
    item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})
    assert item["leaseHolder"]["S"] == leases.holder_of(EXECUTION)
    assert {record.attempt for record in _history(message)} == {1}


def test_a_step_functions_retry_carries_on_its_execution_s_lease(message, order_create):
    context = LambdaContext("OrderCreateFunction", 40)
    leases.acquire(message.operation_id, leases.holder_of(EXECUTION), 60)
    retried = order_create(_task_event(message, 1), context)
    assert (retried["run"], retried["attempt"]) == (1, 2)
    assert OperationStore().get(message.operation_id).attempts == 2


def test_a_retry_whose_first_try_failed_before_the_lease_takes_it(message, order_create):
    retried = order_create(_task_event(message, 1), LambdaContext("OrderCreateFunction", 40))
    assert (retried["run"], retried["attempt"]) == (1, 1)


def test_a_twin_execution_delivers_nothing_while_its_original_holds_the_run(
    message, order_create, platform
):
    leases.acquire(message.operation_id, leases.holder_of(EXECUTION), 60)
    twin = order_create(_task_event(message, 0), LambdaContext("OrderCreateFunction", 40))
    assert (twin["notRun"], twin["twin"]) == ("held", True)
    assert _history(message) == [], "no platform call, no attempt recorded"
    assert OperationStore().get(message.operation_id).attempts == 1


def test_another_execution_of_a_finished_operation_runs_nothing(message, order_create):
    context = LambdaContext("OrderCreateFunction", 40)
    order_create(_task_event(message, 0), context)
    OperationStore().record(
        message.operation_id,
        status=OperationStatus.SYNCED,
        attempts=1,
        outcome=None,
        where="x",
        end_run=True,
    )
    again = order_create(_task_event(message, 0, execution="another"), context)
    assert again["notRun"] == "finished"


def test_the_workflow_on_moto_passes_its_name_and_the_retry_count_to_its_deliveries(stack):
    """moto's own Fn::Sub would turn `$$.` into `$.` (local.template_refs.substituted)."""
    arn = stack.resources["OrderOperationStateMachine"]
    described = aws.stepfunctions().describe_state_machine(stateMachineArn=arn)
    states = json.loads(described["definition"])["States"]
    deliveries = [name for name in states if name.startswith("Deliver")]
    assert len(deliveries) == 5
    for name in [*deliveries, "RecordOutcome", "RecordFailure"]:
        assert states[name]["Parameters"]["executionName.$"] == "$$.Execution.Name", name
    for name in deliveries:
        assert states[name]["Parameters"]["retryCount.$"] == "$$.State.RetryCount", name
