"""Follow-ups that wait for their order (on moto, with the simulated platform): an invoice of an
order the platform does not have yet is blocked under the order's key, spending no runs, and
runs once the order's creation syncs; a rejected creation keeps its follow-ups waiting and lists
them on its alert; an ignored order closes them."""

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from local.seed import DEMO_CHANNEL, DEMO_INTEGRATION, DEMO_MERCHANT, seed_demo
from ordersync.alerts.repository import AlertStore
from ordersync.core.models import OperationMessage
from ordersync.delivery.service import deliver
from ordersync.operations import blocking, dispatch
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore
from tests.factories import operation_message, unique

INVOICE = {"invoiceNumber": "INV-1", "issuedAt": "2026-11-24T10:00:00Z", "total": "31.95"}


@pytest.fixture(autouse=True)
def handler_logger():
    """The dispatcher's module logger is a child of the handler's, as in the function."""
    return Logger()


@pytest.fixture
def order(stack, platform, order_request, inline_workflow):
    """A new order of the demo channel: its create and its invoice, both recorded as the API
    records them (not queued yet). Each run the dispatcher starts runs at once, in process."""
    seed_demo(f"http://127.0.0.1:{platform.server_port}")
    stack.recorded = inline_workflow
    order_id = unique("BLK-")
    names = {
        "merchant_id": DEMO_MERCHANT,
        "integration_id": DEMO_INTEGRATION,
        "channel_id": DEMO_CHANNEL,
        "order_id": order_id,
    }
    create = operation_message({**order_request, "orderId": order_id}, **names)
    invoice = operation_message(INVOICE, operation="invoice", reference="INV-1", **names)
    for message in (create, invoice):
        assert OperationStore().create(message)
    return create, invoice


def run(stack, message: OperationMessage):
    """Queue `message`, then receive and dispatch it as the dispatcher does."""
    stack.sqs.send_message(
        QueueUrl=stack.resources["OperationsQueue"],
        MessageBody=message.model_dump_json(by_alias=True),
    )
    return run_next(stack)


def run_next(stack):
    """Dispatch the next message (acknowledged: deleted, as once its run has started); what its
    run recorded."""
    record = next_record(stack)
    started = dispatch.dispatch(record)
    stack.sqs.delete_message(
        QueueUrl=stack.resources["OperationsQueue"], ReceiptHandle=record.receipt_handle
    )
    return stack.recorded[-1] if started else None


def next_record(stack) -> SQSRecord:
    [received] = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], AttributeNames=["All"]
    )["Messages"]
    return SQSRecord(
        {
            "messageId": received["MessageId"],
            "receiptHandle": received["ReceiptHandle"],
            "body": received["Body"],
            "attributes": received["Attributes"],
            "messageAttributes": {},
        }
    )


def item(stack, operation_id):
    return stack.item("OperationsTable", {"operationId": {"S": operation_id}})


def test_a_follow_up_of_an_order_not_created_waits_blocked_and_spends_no_runs(stack, order):
    create, invoice = order

    result = run(stack, invoice)

    assert result is not None
    assert result.disposition == "blocked"
    operation = OperationStore().get(invoice.operation_id)
    assert operation.status is OperationStatus.BLOCKED
    assert operation.where.startswith(f"blocked by order {invoice.order_id}")
    assert item(stack, invoice.operation_id)["runs"] == {"N": "0"}
    assert blocking.waiting(create) == [invoice.operation_id]
    assert stack.queue_depth() == 0  # acknowledged: it waits in the table, not in the queue


def test_the_order_s_creation_releases_what_it_blocked_and_it_then_runs(stack, order, platform):
    create, invoice = order
    run(stack, invoice)

    created = run(stack, create)

    assert created is not None
    assert created.status is OperationStatus.SYNCED
    assert OperationStore().get(invoice.operation_id).status is OperationStatus.PENDING
    assert blocking.waiting(create) == []
    released = run_next(stack)  # the release queued it again
    assert released is not None
    assert released.status is OperationStatus.SYNCED
    assert "blockedBy" not in item(stack, invoice.operation_id)
    assert platform.state.stats()["duplicated"] == 0


def test_a_rejected_creation_keeps_its_follow_ups_blocked_and_lists_them_on_its_alert(
    stack, order, platform
):
    create, invoice = order
    platform.state.faults.append({"kind": "reject", "message": "no such SKU", "times": 1})
    rejected = run(stack, create)
    assert rejected is not None
    assert rejected.status is OperationStatus.FAILED

    run(stack, invoice)

    assert OperationStore().get(invoice.operation_id).status is OperationStatus.BLOCKED
    alert = AlertStore().get(create.merchant_id, create.entity_key)
    # The alert still says why the order is not there; the invoice is listed as waiting for it.
    assert alert is not None
    assert alert.outcome.code == rejected.code
    assert alert.waiting == {f"invoice {invoice.operation_id}"}


def test_an_order_that_is_ignored_closes_what_it_blocked(stack, order):
    create, invoice = order
    run(stack, invoice)

    assert blocking.close(create, "its order was ignored") == 1

    operation = OperationStore().get(invoice.operation_id)
    assert operation.status is OperationStatus.IGNORED
    assert operation.where == "not sent: its order was ignored"
    assert blocking.close(create, "again") == 0  # each is set aside once


def test_a_follow_up_blocked_as_its_order_was_created_releases_itself(stack, order, monkeypatch):
    """The order's creation synced between the follow-up's look and its record: the creation's
    release found nothing, so the run that recorded the block looks again."""
    create, invoice = order
    run(stack, create)
    real = deliver

    def looked_before_the_order_existed(message, *args, **kwargs):
        summary = real(message.model_copy(update={"order_id": unique("GONE-")}))
        return summary

    monkeypatch.setattr(
        "tests.integration.workflow_support.deliver", looked_before_the_order_existed
    )

    result = run(stack, invoice)

    assert result is not None
    assert result.disposition == "blocked"
    assert OperationStore().get(invoice.operation_id).status is OperationStatus.PENDING
    assert stack.queue_depth() == 1


def test_an_order_that_is_ignored_then_taken_back_sets_aside_and_reopens_what_it_blocked(
    stack, order
):
    create, invoice = order
    run(stack, invoice)
    blocking.close(create, "its order was ignored")

    assert blocking.reopen(create) == 1

    assert OperationStore().get(invoice.operation_id).status is OperationStatus.BLOCKED
    assert blocking.waiting(create) == [invoice.operation_id]


def test_an_order_created_after_all_releases_what_was_set_aside_with_it(stack, order):
    create, invoice = order
    run(stack, invoice)
    blocking.close(create, "its order was ignored")

    assert blocking.release(create) == 1

    assert OperationStore().get(invoice.operation_id).status is OperationStatus.PENDING


def test_a_follow_up_swept_as_queued_leaves_the_rejected_creation_s_alert_in_place(
    stack, order, platform
):
    from datetime import UTC, datetime, timedelta

    from ordersync.operations.sweeper import sweep

    create, invoice = order
    platform.state.faults.append({"kind": "reject", "message": "no such SKU", "times": 1})
    rejected = run(stack, create)
    # The invoice waits in a backlog past its deadline: the sweeper flags it queued, but the
    # order's alert must still say what a person has to fix (a Queued note says "nothing to do").
    assert sweep(at=datetime.now(UTC) + timedelta(hours=2)).queued >= 1
    assert OperationStore().get(invoice.operation_id).status is OperationStatus.QUEUED
    alert = AlertStore().get(create.merchant_id, create.entity_key)
    assert (alert.outcome.code, alert.operation_id) == (rejected.code, create.operation_id)

    run(stack, invoice)

    assert OperationStore().get(invoice.operation_id).status is OperationStatus.BLOCKED
    alert = AlertStore().get(create.merchant_id, create.entity_key)
    assert alert.outcome.code == rejected.code
    assert alert.waiting == {f"invoice {invoice.operation_id}"}
