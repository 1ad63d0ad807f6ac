"""Each integration's limit of runs in flight, held across dispatchers (on moto): no more places
than the limit are ever taken, even by dispatchers racing for the last one; a dead holder's place
comes back when its lease expires; and a dispatch that finds every place held waits without a
run and without spending one."""

import json
import threading
import time

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ordersync.config.models import Integration
from ordersync.config.repository import ConfigStore
from ordersync.operations import dispatch, inflight, settle
from ordersync.operations.models import WorkflowInput
from ordersync.operations.outcomes import record_outcome
from tests.factories import unique


@pytest.fixture(autouse=True)
def handler_logger():
    return Logger()


def test_no_more_places_than_the_limit_and_a_released_one_is_taken_again(stack):
    erp = unique("erp-")
    taken = [inflight.acquire("m1", erp, h, limit=2, seconds=60) for h in ("a", "b", "c")]

    assert taken == [True, True, False]
    inflight.release("m1", erp, "a")
    assert inflight.acquire("m1", erp, "c", limit=2, seconds=60)
    assert inflight.holding("m1", erp) == 2


def test_a_dead_holder_s_place_comes_back_when_its_lease_expires(stack):
    erp = unique("erp-")
    assert inflight.acquire("m1", erp, "died", limit=1, seconds=0.2)
    assert not inflight.acquire("m1", erp, "next", limit=1, seconds=60)

    time.sleep(0.3)

    assert inflight.acquire("m1", erp, "next", limit=1, seconds=60)
    assert inflight.holding("m1", erp) == 1


def test_dispatchers_racing_for_places_take_no_more_than_the_limit(stack):
    erp = unique("erp-")
    results: list[bool] = []
    start = threading.Barrier(8)

    def take(holder: str) -> None:
        start.wait()
        results.append(inflight.acquire("m1", erp, holder, limit=3, seconds=60))

    threads = [threading.Thread(target=take, args=(f"d{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Without the version condition each racer would see a free place and all eight would hold.
    assert 1 <= inflight.holding("m1", erp) <= 3
    assert results.count(True) == inflight.holding("m1", erp)


@pytest.fixture
def erp(stack):
    """An integration of merchant m1 that allows one run in flight."""
    integration_id = unique("erp-")
    ConfigStore().put_integration(
        Integration(
            integration_id=integration_id,
            merchant_id="m1",
            name="ERP",
            base_url="http://platform.test",
            max_in_flight=1,
        )
    )
    return integration_id


def test_a_dispatch_that_finds_every_place_held_waits_without_a_run(
    stack, erp, accepted, order_request, monkeypatch
):
    runs: list[str] = []
    monkeypatch.setattr(dispatch, "start_workflow", lambda message, name: runs.append(name))
    message = accepted(order_request, integration_id=erp)
    stack.sqs.send_message(
        QueueUrl=stack.resources["OperationsQueue"],
        MessageBody=message.model_dump_json(by_alias=True),
    )
    [received] = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], AttributeNames=["All"]
    )["Messages"]
    record = SQSRecord(
        {
            "messageId": received["MessageId"],
            "receiptHandle": received["ReceiptHandle"],
            "body": received["Body"],
            "attributes": received["Attributes"],
            "messageAttributes": {},
        }
    )
    assert inflight.acquire("m1", erp, "another dispatcher", limit=1, seconds=60)

    with pytest.raises(dispatch.RetryLater, match="in flight"):
        dispatch.dispatch(record)
    assert runs == []
    item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})
    assert "runs" not in item  # waiting for a place spends nothing

    inflight.release("m1", erp, "another dispatcher")
    name = dispatch.dispatch(record)
    assert runs == [name]
    assert inflight.holding("m1", erp) == 1  # held by the run, which the dispatcher left
    # A twin of the execution (Step Functions ran it twice) leaves its original's place held.
    twin = {"notRun": "held", "twin": True}
    record_outcome(WorkflowInput(message=message, execution_name=name, delivery=twin))
    assert inflight.holding("m1", erp) == 1
    # The workflow's last task gives it back, however the run ended.
    ended = WorkflowInput(message=message, execution_name=name, delivery={"notRun": "held"})
    assert record_outcome(ended).disposition == "not_run"
    assert inflight.holding("m1", erp) == 0


def test_a_message_worn_out_by_waiting_for_a_place_goes_on_as_a_fresh_one(
    stack, erp, accepted, order_request, monkeypatch
):
    monkeypatch.setattr(settle, "MAX_DELAY_SECONDS", 0)  # visible at once, to be read here
    message = accepted(order_request, integration_id=erp)
    assert inflight.acquire("m1", erp, "another dispatcher", limit=1, seconds=60)
    # Received a hundred times: the queue's maxReceiveCount would soon move it behind our back.
    record = SQSRecord(
        {
            "messageId": "m-1",
            "receiptHandle": "r-1",
            "body": message.model_dump_json(by_alias=True),
            "attributes": {"ApproximateReceiveCount": "100"},
        }
    )

    assert dispatch.dispatch(record) is None, "this copy is done with"

    [fresh] = stack.sqs.receive_message(QueueUrl=stack.resources["OperationsQueue"])["Messages"]
    assert json.loads(fresh["Body"])["operationId"] == message.operation_id
    assert json.loads(fresh["Body"])["notBefore"]


def test_a_message_waiting_for_a_place_looks_again_within_seconds(
    stack, erp, accepted, order_request, monkeypatch
):
    """However often it found every place held, it comes back within ten seconds: places
    given back meanwhile are not left idle while a burst's last messages sleep."""
    message = accepted(order_request, integration_id=erp)
    waits: list[int] = []
    monkeypatch.setattr(dispatch, "_postpone", lambda record, delay: waits.append(delay))

    def wait_after(receives: int) -> int:
        record = SQSRecord(
            {
                "messageId": "m-1",
                "receiptHandle": "r-1",
                "body": message.model_dump_json(by_alias=True),
                "attributes": {
                    "ApproximateReceiveCount": str(receives),
                    "SentTimestamp": str(int(time.time() * 1000)),
                },
            }
        )
        with pytest.raises(dispatch.RetryLater, match="in flight"):
            dispatch._wait_for_a_place(record, message, limit=1)
        return waits[-1]

    first = [wait_after(1) for _ in range(50)]
    often = [wait_after(40) for _ in range(200)]
    assert set(first) <= {1, 2}
    assert max(often) <= 10
    assert len(set(often)) > 5  # still jittered, so the waiting do not come back at once
