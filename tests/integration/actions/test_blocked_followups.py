"""A person's action on an order's creation reaches the follow-ups blocked by it: marking the
creation synced (the order now exists) releases them to run, ignoring it sets them aside with
it, unignoring brings them back to wait (on moto)."""

import json

from ordersync.actions import service
from ordersync.alerts.repository import AlertStore
from ordersync.operations.models import OperationStatus, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import delivery_summary

INVOICE = {"invoiceNumber": "INV-1", "issuedAt": "2026-11-24T10:00:00Z", "total": "31.95"}


def _blocked_invoice(accepted, create):
    """An invoice of `create`'s order, whose run found the order not created."""
    invoice = accepted(
        INVOICE,
        operation="invoice",
        reference="INV-1",
        merchant_id=create.merchant_id,
        integration_id=create.integration_id,
        channel_id=create.channel_id,
        order_id=create.order_id,
    )
    summary = delivery_summary("Order Not Yet Created", order_id=create.order_id)
    assert record_outcome(WorkflowInput(message=invoice, delivery=summary)).status == "blocked"
    return invoice


def _status(message) -> OperationStatus:
    return OperationStore().get(message.operation_id).status


def test_marking_the_creation_synced_releases_its_blocked_follow_ups(
    stack, users, outcome_of, accepted
):
    create, alert_id = outcome_of()
    invoice = _blocked_invoice(accepted, create)
    waiting = AlertStore().get("m1", create.entity_key).waiting
    assert waiting == {f"invoice {invoice.operation_id}"}

    service.mark_synced(users["granted"], alert_id)

    assert _status(invoice) is OperationStatus.PENDING
    queued = stack.sqs.receive_message(QueueUrl=stack.resources["OperationsQueue"])["Messages"]
    assert [json.loads(m["Body"])["operationId"] for m in queued] == [invoice.operation_id]
    assert AlertStore().get("m1", create.entity_key).waiting == set()


def test_ignoring_the_creation_sets_its_follow_ups_aside_and_unignoring_brings_them_back(
    stack, users, outcome_of, accepted
):
    create, alert_id = outcome_of()
    invoice = _blocked_invoice(accepted, create)

    service.ignore(users["granted"], alert_id)
    assert _status(invoice) is OperationStatus.IGNORED
    assert "ignored by granted@m1.test" in OperationStore().get(invoice.operation_id).where

    service.unignore(users["granted"], alert_id)
    assert _status(invoice) is OperationStatus.BLOCKED
