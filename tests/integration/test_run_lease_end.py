"""A run's lease ends in the write that records how the run ended (no write of its own), and the
dispatcher lets go itself only when the workflow did not say it had."""

import sys

import pytest

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.operations import dispatch, leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus, RecordedOutcome, WorkflowInput
from ordersync.operations.outcomes import record_outcome


def _handler(logical_id):
    load_handler(LocalTemplate.load().functions[logical_id])
    return sys.modules[f"ordersync_local_{logical_id}"].lambda_handler


def test_recording_the_outcome_lets_go_of_the_lease_in_the_same_write(
    stack, demo_create, operation_writes
):
    message = demo_create("00000000-0000-0000-0000-0000000000c1")
    taken = leases.acquire(message.operation_id, "receive-1", 60)
    workflow = WorkflowInput(message=message, run=taken.run, attempt=taken.attempt)
    event = {**workflow.model_dump(mode="json", by_alias=True), "retryCount": 0}
    summary = _handler("OrderCreateFunction")(event, LambdaContext("OrderCreateFunction", 40))
    operation_writes.clear()

    recorded = record_outcome(workflow.model_copy(update={"delivery": summary}))

    assert recorded.lease_released
    assert recorded.status is OperationStatus.SYNCED
    assert operation_writes == ["UpdateItem"], "the outcome's write only"
    item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})
    assert "leaseHolder" not in item
    assert "leaseUntil" not in item
    # Finished: a copy of its message finds nothing to run (not a lease someone holds).
    assert leases.acquire(message.operation_id, "receive-2", 60).lease is Lease.FINISHED


@pytest.mark.parametrize(("said", "releases"), [(True, []), (False, ["receive"])])
def test_the_dispatcher_lets_go_only_when_the_workflow_did_not(
    stack, accepted, order_request, monkeypatch, said, releases
):
    message = accepted(order_request)
    released: list[str] = []
    monkeypatch.setattr(dispatch, "_release", lambda m, holder, **_: released.append(holder))
    monkeypatch.setattr(
        dispatch,
        "run_workflow",
        lambda wi: RecordedOutcome(
            disposition="done", status=OperationStatus.SYNCED, code="x", lease_released=said
        ),
    )
    record = type("Record", (), {"receipt_handle": "r", "message_id": "m"})()
    dispatch._run_once(record, message, "receive")  # type: ignore[arg-type]
    assert released == releases
