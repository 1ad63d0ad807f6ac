"""A run's lease ends in the write that records how the run ended (no write of its own), made
only by the execution that holds it; an execution that never took the lease records nothing and
sends its operation to the queue again, since the dispatcher has deleted the message."""

import sys

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.operations import leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import task_event

EXECUTION = "00000000-0000-0000-0000-0000000000c1-0123456789ab"


def _handler(logical_id):
    load_handler(LocalTemplate.load().functions[logical_id])
    return sys.modules[f"ordersync_local_{logical_id}"].lambda_handler


def test_recording_the_outcome_lets_go_of_the_lease_in_the_same_write(
    stack, demo_create, operation_writes
):
    message = demo_create("00000000-0000-0000-0000-0000000000c1")
    event = task_event(message, execution=EXECUTION)
    summary = _handler("OrderCreateFunction")(event, LambdaContext("OrderCreateFunction", 40))
    operation_writes.clear()

    workflow = WorkflowInput(message=message, execution_name=EXECUTION, delivery=summary)
    recorded = record_outcome(workflow)

    assert recorded.status is OperationStatus.SYNCED
    # The outcome's write only (the Query reads the follow-ups the order's creation releases).
    assert [name for name in operation_writes if name != "Query"] == ["UpdateItem"]
    item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})
    assert "leaseHolder" not in item
    assert "leaseUntil" not in item
    assert item["lastHolder"]["S"] == leases.holder_of(EXECUTION)
    # Finished: a copy of its message finds nothing to run (not a lease someone holds).
    assert leases.acquire(message.operation_id, "receive-2", 60).lease is Lease.FINISHED


def test_an_execution_that_never_took_the_lease_records_nothing_and_queues_it_again(
    stack, demo_create
):
    message = demo_create("00000000-0000-0000-0000-0000000000c2")
    failure = {"Error": "Lambda.ServiceException", "Cause": "{}"}

    recorded = record_outcome(
        WorkflowInput(message=message, execution_name=EXECUTION, failure=failure)
    )

    assert (recorded.disposition, recorded.not_run) == ("not_run", "unleased")
    assert OperationStore().get(message.operation_id).status is OperationStatus.PENDING
    delayed = stack.sqs.get_queue_attributes(
        QueueUrl=stack.resources["OperationsQueue"],
        AttributeNames=["ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]
    assert delayed["ApproximateNumberOfMessagesDelayed"] == "1", "sent again, after a backoff"
