"""The workflow's paths without Step Functions, for tests that drive the dispatcher: the first
delivery attempt takes the run lease under the execution's name and delivers; a caught failure
or the delivery's summary goes to RecordOutcome, which records it and sends what follows."""

import json

import pytest

from ordersync.catalog.errors import TransientDeliveryError
from ordersync.core.models import OperationMessage
from ordersync.delivery.service import deliver
from ordersync.delivery.tasks import not_run, take_run
from ordersync.operations import dispatch, leases
from ordersync.operations.leases import Lease
from ordersync.operations.models import RecordedOutcome, WorkflowInput
from ordersync.operations.outcomes import record_outcome


def run_in_process(message: OperationMessage, name: str) -> RecordedOutcome:
    workflow = WorkflowInput(message=message, execution_name=name)
    taken = take_run(message, leases.holder_of(name), {"retryCount": 0})
    if taken.lease is not Lease.TAKEN:
        return record_outcome(workflow.model_copy(update={"delivery": not_run(taken)}))
    try:
        delivered = deliver(message, counted_attempt=taken.attempt)
        event = workflow.model_copy(update={"delivery": {**delivered, "run": taken.run}})
    except TransientDeliveryError as error:
        cause = json.dumps({"errorMessage": str(error)})
        failure = {"Error": type(error).__name__, "Cause": cause}
        event = workflow.model_copy(update={"failure": failure})
    return record_outcome(event)


@pytest.fixture
def inline_workflow(monkeypatch: pytest.MonkeyPatch) -> list[RecordedOutcome]:
    """Each run the dispatcher starts, run at once in this process; what each recorded."""
    recorded: list[RecordedOutcome] = []

    def start(message: OperationMessage, name: str) -> None:
        recorded.append(run_in_process(message, name))

    monkeypatch.setattr(dispatch, "start_workflow", start)
    return recorded
