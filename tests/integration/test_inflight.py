"""Each integration's limit of runs in flight, held across dispatchers (on moto): no more places
than the limit are ever taken, even by dispatchers racing for the last one; a dead holder's place
comes back when its lease expires; and a dispatch that finds every place held waits without a
run and without spending one."""

import threading
import time

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ordersync.config.models import Integration
from ordersync.config.repository import ConfigStore
from ordersync.operations import dispatch, inflight
from ordersync.operations.models import OperationStatus, RecordedOutcome
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


def test_a_dispatch_that_finds_every_place_held_waits_without_a_run(
    stack, accepted, order_request, monkeypatch
):
    erp = unique("erp-")
    ConfigStore().put_integration(
        Integration(
            integration_id=erp,
            merchant_id="m1",
            name="ERP",
            base_url="http://platform.test",
            max_in_flight=1,
        )
    )
    runs: list[str] = []
    monkeypatch.setattr(
        dispatch,
        "run_workflow",
        lambda wi: (
            runs.append(wi.message.operation_id)
            or RecordedOutcome(disposition="done", status=OperationStatus.SYNCED, code="x")
        ),
    )
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
    assert dispatch.dispatch(record).status is OperationStatus.SYNCED
    assert runs == [message.operation_id]
    assert inflight.holding("m1", erp) == 0  # the run gave its place back
