import json

import pytest

from ordersync.catalog.errors import (
    MappingUnavailableError,
    PlatformConnectionFailedError,
    PlatformUnavailableError,
)
from ordersync.config.repository import ConfigStore
from ordersync.core.models import OperationMessage
from ordersync.delivery.service import deliver
from ordersync.history.repository import HistoryStore
from ordersync.operations.records import OperationStore
from tests.factories import load_event


@pytest.fixture
def message(demo_create):
    return demo_create("00000000-0000-0000-0000-000000000001")


def history(message, step="order"):
    records = HistoryStore().for_entity(message.merchant_id, message.entity_key)
    return [record for record in records if record.step == step]


def test_a_delivered_order_is_recorded_with_all_three_contents(message, platform):
    summary = deliver(message)
    assert summary["attempt"] == 1
    assert summary["outcome"]["code"] == "Order Created"
    [record] = history(message)
    assert json.loads(record.content_source) == message.payload
    assert json.loads(record.content_translated)["externalId"] == message.external_order_id
    assert (
        json.loads(record.content_destination)["id"]
        == record.outcome.system_identifier
        == "PO-000001"
    )
    assert platform.state.effects == {
        "customer:ada@example.com": 1,
        f"create:{message.external_order_id}": 1,
    }
    [customer] = history(message, step="customer")
    assert customer.outcome.code == "Customer Created"


def test_the_idempotency_key_is_the_operation_id(message, platform):
    deliver(message)
    assert message.operation_id in platform.state.responses_by_key


def test_a_server_error_is_recorded_then_raised_for_the_workflow_to_retry(message, platform):
    platform.state.faults.append({"kind": "status", "status": 503, "path": "/orders"})
    with pytest.raises(PlatformUnavailableError) as raised:
        deliver(message)
    assert raised.value.summary["outcome"]["httpCode"] == 503
    assert json.loads(str(raised.value))["attempt"] == 1
    assert [r.outcome.code for r in history(message)] == ["Platform Unavailable"]


def test_a_lost_answer_is_not_applied_twice(message, platform):
    platform.state.faults.append({"kind": "lost", "path": "/orders"})
    with pytest.raises(PlatformConnectionFailedError):
        deliver(message)
    assert (
        platform.state.effects[f"create:{message.external_order_id}"] == 1
    )  # the platform did commit

    summary = deliver(message)  # the retry looks the order up before creating it again
    assert summary["outcome"]["code"] == "Order Created"
    assert summary["outcome"]["systemCall"] == f"GET /orders/{message.external_order_id}"
    assert platform.state.effects[f"create:{message.external_order_id}"] == 1
    assert platform.state.stats()["duplicated"] == 0


def test_a_business_rejection_is_returned_not_raised(message, platform):
    platform.state.faults.append(
        {"kind": "reject", "message": "SKU MUG-WHITE is unknown", "code": "E-SKU"}
    )
    summary = deliver(message)
    assert summary["outcome"]["code"] == "Order Creation Failed"
    assert summary["outcome"]["retryClass"] == "needs action"
    assert "SKU MUG-WHITE is unknown" in summary["outcome"]["businessMessage"]
    assert f"create:{message.external_order_id}" not in platform.state.effects


def test_a_known_customer_is_updated_before_the_order(message, platform):
    platform.state.customers["ada@example.com"] = {"email": "ada@example.com"}
    deliver(message)
    [customer] = history(message, step="customer")
    assert customer.outcome.code == "Customer Updated"


def test_a_customer_the_platform_holds_but_cannot_find_is_a_duplicate(message, platform):
    platform.state.faults.append(
        {
            "kind": "answer",
            "status": 409,
            "path": "/customers",
            "times": 2,
            "body": {"code": "DUPLICATE_CUSTOMER"},
        }
    )
    summary = deliver(message)
    assert summary["outcome"]["code"] == "Duplicate Customer"
    assert f"create:{message.external_order_id}" not in platform.state.effects, (
        "the order waits for its customer"
    )


def test_an_order_the_platform_already_has_is_updated_not_failed(message, platform):
    platform.state.orders[message.external_order_id] = {
        "id": "PO-7",
        "externalId": message.external_order_id,
        "status": "accepted",
        "order": {},
    }
    summary = deliver(message)
    assert summary["outcome"]["code"] == "Order Updated"
    assert summary["outcome"]["systemCall"] == f"PUT /orders/{message.external_order_id}"
    platform.state.faults.append(
        {
            "kind": "reject",
            "message": "order is locked",
            "path": f"/orders/{message.external_order_id}",
        }
    )
    message = message.model_copy(update={"operation_id": "00000000-0000-0000-0000-000000000009"})
    OperationStore().create(message)
    assert deliver(message)["outcome"]["code"] == "Order Update Failed"


def test_an_unreadable_configuration_is_retried_as_mapping_unavailable(message):
    # A table that cannot be read (here: one that does not exist), not the run's shared one.
    with pytest.raises(MappingUnavailableError) as raised:
        deliver(message, config=ConfigStore(table="ConfigTableNotThere"))
    assert raised.value.summary["outcome"]["code"] == "Mapping Unavailable"


def follow_up(message, operation, payload, reference):
    return OperationMessage.model_validate(
        {
            **message.model_dump(),
            "operation_id": f"{message.operation_id[:-4]}{operation[:4]}",
            "operation": operation,
            "payload": payload,
            "reference": reference,
        }
    )


@pytest.mark.parametrize(
    ("operation", "payload", "reference", "code"),
    [
        ("create", None, None, "Order Created"),
        ("invoice", {"invoiceNumber": "INV-1", "total": "31.95"}, "INV-1", "Order Invoice Created"),
        ("refund", {"refundId": "RF-1", "amount": "5.00"}, "RF-1", "Refund Created"),
        ("cancel", {"reason": "customer asked"}, None, "Order Cancelled"),
    ],
)
def test_a_crash_between_the_platform_s_commit_and_our_record_does_not_duplicate(
    message, platform, operation, payload, reference, code
):
    if operation != "create":
        deliver(message)
        message = follow_up(message, operation, payload, reference)
        OperationStore().create(message)
    deliver(message)  # the platform commits; then the run dies before recording the outcome
    effects = dict(platform.state.effects)

    again = deliver(message)  # SQS brings the message back; the run starts over

    assert again["outcome"]["code"] == code, "the repeat must not be refused as a repeat of itself"
    assert platform.state.effects == effects
    assert platform.state.stats()["duplicated"] == 0


def test_a_follow_up_that_changed_the_order_meanwhile_does_not_fail_the_other(
    message, platform, monkeypatch
):
    """An invoice and a shipment of one order run at once: both reach the platform, and the one
    that writes the order's state second finds it changed. It applies its own change to the
    order as it now is, and its outcome is the platform's answer, not an error."""
    from ordersync.delivery import service
    from ordersync.orders.repository import OrderStore

    deliver(message)
    invoice = follow_up(message, "invoice", {"invoiceNumber": "INV-1", "total": "31.95"}, "INV-1")
    shipment = follow_up(message, "shipment", load_event("requests/ship_order.json"), "SHP-1")
    for operation in (invoice, shipment):
        OperationStore().create(operation)
    send = service._send

    def shipment_runs_meanwhile(attempt, connector, integration):
        answer = send(attempt, connector, integration)
        if attempt.message.operation_id == invoice.operation_id:
            assert deliver(shipment)["outcome"]["code"] == "Order Updated"
        return answer

    monkeypatch.setattr(service, "_send", shipment_runs_meanwhile)

    assert deliver(invoice)["outcome"]["code"] == "Order Invoice Created"
    state = OrderStore().get(
        message.merchant_id, message.integration_id, message.channel_id, message.order_id
    )
    assert state is not None
    assert (state.invoices, state.shipments) == (["INV-1"], ["SHP-1"])
    assert {invoice.operation_id, shipment.operation_id} <= set(state.applied)
