"""A run's first delivery attempt is counted with its lease, in one write; a Step Functions
retry within the run counts its own; a run that never started gives both back."""

import json
import sys

import pytest

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.core import aws
from ordersync.history.repository import HistoryStore
from ordersync.operations import leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import WorkflowInput
from ordersync.operations.records import OperationStore


@pytest.fixture
def message(demo_create):
    return demo_create("00000000-0000-0000-0000-0000000000a7")


@pytest.fixture
def order_create():
    load_handler(LocalTemplate.load().functions["OrderCreateFunction"])
    return sys.modules["ordersync_local_OrderCreateFunction"].lambda_handler


def _task_event(message, taken, retry_count):
    workflow = WorkflowInput(message=message, run=taken.run, attempt=taken.attempt)
    return {**workflow.model_dump(mode="json", by_alias=True), "retryCount": retry_count}


def test_the_lease_counts_the_run_and_its_first_attempt_in_one_write(message, operation_writes):
    taken = leases.acquire(message.operation_id, "receive-1", 60)
    assert (taken.lease, taken.run, taken.attempt) == (Lease.TAKEN, 1, 1)
    assert operation_writes == ["UpdateItem"]
    assert OperationStore().get(message.operation_id).attempts == 1


def test_the_run_s_first_try_uses_the_counted_attempt_and_writes_no_counter(
    message, order_create, operation_writes
):
    taken = leases.acquire(message.operation_id, "receive-1", 60)
    summary = order_create(_task_event(message, taken, 0), LambdaContext("OrderCreateFunction", 40))
    assert summary["attempt"] == 1
    assert operation_writes == ["UpdateItem"], "the lease's write only"
    assert OperationStore().get(message.operation_id).attempts == 1
    records = HistoryStore().for_entity(message.merchant_id, message.entity_key)
    assert {record.attempt for record in records} == {1}


def test_a_step_functions_retry_counts_its_own_attempt(message, order_create):
    taken = leases.acquire(message.operation_id, "receive-1", 60)
    context = LambdaContext("OrderCreateFunction", 40)
    retried = order_create(_task_event(message, taken, 1), context)
    assert retried["attempt"] == 2
    assert OperationStore().get(message.operation_id).attempts == 2


def test_a_run_that_never_started_gives_back_its_run_and_its_attempt(message):
    taken = leases.acquire(message.operation_id, "receive-1", 60)
    leases.release(message.operation_id, "receive-1", started=False)
    again = leases.acquire(message.operation_id, "receive-2", 60)
    assert (again.run, again.attempt) == (taken.run, taken.attempt) == (1, 1)


def test_a_workflow_started_before_the_lease_counted_attempts_still_counts_its_own(
    message, order_create
):
    """An execution whose input has no attempt (started by a dispatcher of before)."""
    event = {"message": message.model_dump(mode="json", by_alias=True), "run": 1, "retryCount": 0}
    assert order_create(event, LambdaContext("OrderCreateFunction", 40))["attempt"] == 1
    assert OperationStore().get(message.operation_id).attempts == 1


def test_the_workflow_on_moto_passes_the_retry_count_to_its_deliveries(stack):
    """moto's own Fn::Sub would turn `$$.` into `$.` (local.template_refs.substituted)."""
    arn = stack.resources["OrderOperationStateMachine"]
    described = aws.stepfunctions().describe_state_machine(stateMachineArn=arn)
    states = json.loads(described["definition"])["States"]
    deliveries = [name for name in states if name.startswith("Deliver")]
    assert len(deliveries) == 5
    for name in deliveries:
        assert states[name]["Parameters"]["retryCount.$"] == "$$.State.RetryCount", name
        assert states[name]["Parameters"]["attempt.$"] == "$.attempt", name
