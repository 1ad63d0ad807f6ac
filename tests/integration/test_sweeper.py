"""The sweeper on moto: operations not run in time, never confirmed, or missing their next run."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from ordersync.alerts.repository import AlertStore
from ordersync.catalog.errors import PlatformUnavailableError
from ordersync.core.models import OperationMessage
from ordersync.operations import watch
from ordersync.operations.models import OperationStatus, Watch, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from ordersync.operations.sweeper import sweep
from tests.factories import caught, load_event
from tests.factories import delivery_summary as summary

LONG_AGO = datetime.now(UTC) - timedelta(hours=2)


@pytest.fixture
def message(accepted, order_request):
    return accepted(order_request, reference="R-1", accepted_at=LONG_AGO)


def later(minutes: float) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def queued_messages(stack):
    found = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], MaxNumberOfMessages=10
    ).get("Messages", [])
    return [json.loads(m["Body"]) for m in found]


def test_an_operation_not_run_in_time_is_flagged_queued_once(message):
    report = sweep()

    assert report.queued == 1
    operation = OperationStore().get(message.operation_id)
    assert operation.status is OperationStatus.QUEUED
    alert = AlertStore().get("m1", message.entity_key)
    assert (alert.status.value, alert.outcome.code) == ("open", "Queued")
    assert "still queued" in alert.outcome.business_message
    assert sweep().queued == 0, "flagged once, not on every sweep"


def test_a_queued_operation_that_runs_closes_its_alert(message):
    sweep()
    record_outcome(WorkflowInput(message=message, delivery=summary("Order Created")))

    assert OperationStore().get(message.operation_id).status is OperationStatus.SYNCED
    assert AlertStore().get("m1", message.entity_key).status.value == "resolved"


def test_an_operation_run_in_time_is_not_flagged(message):
    record_outcome(WorkflowInput(message=message, delivery=summary("Order Created")))

    assert sweep(at=later(60)).queued == 0
    assert watch.overdue(Watch.QUEUED, later(60), 10) == []


def test_an_unconfirmed_operation_raises_an_alert_after_the_verification_window(message):
    record_outcome(WorkflowInput(message=message, delivery=summary("Pending Verification")))
    assert OperationStore().get(message.operation_id).status is OperationStatus.PENDING_VERIFICATION

    assert sweep(at=later(29)).verification_overdue == 0
    assert sweep(at=later(31)).verification_overdue == 1

    alert = AlertStore().get("m1", message.entity_key)
    assert (alert.status.value, alert.outcome.code) == ("open", "Verification Overdue")
    assert alert.outcome.retry_class.value == "needs action"
    assert OperationStore().get(message.operation_id).status is OperationStatus.PENDING_VERIFICATION
    assert sweep(at=later(90)).verification_overdue == 0


def lose_messages(stack):
    stack.sqs.purge_queue(QueueUrl=stack.resources["OperationsQueue"])


def test_a_retrying_operation_whose_message_is_gone_is_sent_again(stack, message):
    error = PlatformUnavailableError(summary("Platform Unavailable", http_code=503))
    result = record_outcome(WorkflowInput(message=message, run=1, failure=caught(error)))
    assert result.disposition == "retry"
    due = result.retry_in_seconds / 60
    lose_messages(stack)  # the run's fresh message for its next run

    # Its message should be back within the backoff plus the grace; not sent again before that.
    assert sweep(at=later(due + 1)).requeued == 0
    assert queued_messages(stack) == []
    assert sweep(at=later(due + 16)).requeued == 1

    sent = queued_messages(stack)
    assert [m["operationId"] for m in sent] == [message.operation_id]
    again = OperationMessage.model_validate(sent[0])
    assert again.model_dump(exclude={"accepted_at"}) == message.model_dump(exclude={"accepted_at"})
    assert abs(again.accepted_at - message.accepted_at) < timedelta(milliseconds=1)
    assert sweep(at=later(due + 16)).requeued == 0, "one copy per overdue deadline"


@pytest.mark.parametrize("its_message", ["waiting", "in flight"])
def test_no_copy_is_sent_while_the_queue_holds_a_message(stack, message, its_message):
    error = PlatformUnavailableError(summary("Platform Unavailable", http_code=503))
    result = record_outcome(WorkflowInput(message=message, run=1, failure=caught(error)))
    lose_messages(stack)  # the run's fresh message for its next run
    queue = stack.resources["OperationsQueue"]
    stack.sqs.send_message(QueueUrl=queue, MessageBody=message.model_dump_json(by_alias=True))
    if its_message == "in flight":
        # A busy consumer received it but has not run it yet: the soak caught a copy sent here.
        stack.sqs.receive_message(QueueUrl=queue, VisibilityTimeout=600)
    overdue = later(result.retry_in_seconds / 60 + 16)

    report = sweep(at=overdue)

    assert (report.requeued, report.requeue_deferred) == (0, 1)
    for held in stack.sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0
    ).get("Messages", []):
        stack.sqs.delete_message(QueueUrl=queue, ReceiptHandle=held["ReceiptHandle"])
    if its_message == "in flight":
        assert sweep(at=overdue).requeue_deferred == 1, "still in flight: no copy"
        stack.sqs.purge_queue(QueueUrl=queue)
    assert sweep(at=overdue).requeued == 1, "once the queue is empty, the lost run is sent"


def test_a_run_that_records_again_clears_the_retry_deadline(message):
    error = PlatformUnavailableError(summary("Platform Unavailable", http_code=503))
    record_outcome(WorkflowInput(message=message, run=1, failure=caught(error)))
    record_outcome(WorkflowInput(message=message, run=2, delivery=summary("Order Created")))

    assert sweep(at=later(24 * 60)).requeued == 0


def test_the_sweeper_answers_its_scheduled_event(stack, message):
    from local.lambdas import LambdaContext, load_handler
    from local.template import LocalTemplate

    handler = load_handler(LocalTemplate.load().functions["SweeperFunction"])
    answer = handler(load_event("sweeper/scheduled.json"), LambdaContext("sweeper", 120))

    # The fixture records the operation without queueing it: its message is gone, so it is sent.
    assert answer == {
        "queued": 1,
        "verification_overdue": 0,
        "requeued": 1,
        "requeue_deferred": 0,
        "failed": 0,
    }
    assert OperationStore().get(message.operation_id).status is OperationStatus.QUEUED


def test_an_aws_error_on_one_operation_does_not_stop_the_sweep_of_the_others(
    accepted, order_request, monkeypatch
):
    from botocore.exceptions import ClientError

    from ordersync.alerts import policy

    first, second = (
        accepted(order_request, reference=f"R-{n}", accepted_at=LONG_AGO) for n in (1, 2)
    )
    record = policy.record
    throttled = []

    def throttle_the_first(operation, *args, **kwargs):
        if not throttled:
            throttled.append(operation.operation_id)
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem"
            )
        return record(operation, *args, **kwargs)

    monkeypatch.setattr(policy, "record", throttle_the_first)

    report = sweep()

    assert (report.failed, report.queued) == (1, 1)
    flagged = {m.operation_id for m in (first, second)} - set(throttled)
    assert OperationStore().get(flagged.pop()).status is OperationStatus.QUEUED
    # The one that failed is not lost: it is still watched, due again after the grace.
    assert throttled[0] in {found for found, _ in watch.overdue(Watch.QUEUED, later(60), 10)}


def test_a_queued_alert_whose_write_failed_is_raised_by_the_next_sweep(message, monkeypatch):
    from botocore.exceptions import ClientError

    from ordersync.alerts import policy

    record = policy.record

    def throttled(*args, **kwargs):
        raise ClientError({"Error": {"Code": "ThrottlingException"}}, "UpdateItem")

    monkeypatch.setattr(policy, "record", throttled)
    assert sweep().failed == 1
    assert OperationStore().get(message.operation_id).status is OperationStatus.PENDING

    monkeypatch.setattr(policy, "record", record)
    assert sweep(at=later(60)).queued == 1
    assert OperationStore().get(message.operation_id).status is OperationStatus.QUEUED
    alert = AlertStore().get("m1", message.entity_key)
    assert (alert.status.value, alert.outcome.code) == ("open", "Queued")
