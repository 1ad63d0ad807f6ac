"""Verification Rejected on moto, through the callback route: an operation the platform
accepted for later and then rejected leaves the order's state as it was before it."""

import json
import time

import pytest

from local.lambdas import LambdaContext, load_handler
from local.seed import put_secret
from local.template import LocalTemplate
from ordersync.catalog.codes import outcome
from ordersync.config.models import Integration
from ordersync.config.repository import ConfigStore
from ordersync.core.models import OperationType
from ordersync.core.signing import sign
from ordersync.operations.models import OperationStatus, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from ordersync.orders.lifecycle import OrderStatus, apply
from ordersync.orders.repository import OrderStore
from tests.factories import load_event, operation_message

SECRET = "verification-secret"
FOLLOW_UPS = {
    OperationType.CANCEL: ({"reason": "customer asked"}, None),
    OperationType.INVOICE: ({"invoiceNumber": "INV-1"}, "INV-1"),
    OperationType.SHIPMENT: ({"shipmentId": "S1", "trackingNumber": "1Z"}, "S1"),
    OperationType.REFUND: ({"refundId": "R1", "amount": "5.00"}, "R1"),
}


def _message(operation, operation_id, payload, reference=None):
    return operation_message(
        payload,
        operation=operation,
        operation_id=operation_id,
        order_id="WEB-R",
        reference=reference,
    )


def _accepted_for_later(message, state):
    """What a delivery does on a 202: the operation recorded, the order's state applied."""
    OperationStore().create(message)
    OrderStore().put(apply(message, state, {"id": "P-1"}, unconfirmed=True))
    pending = outcome("Pending Verification", order_id=message.order_id)
    delivered = {"attempt": 1, "outcome": pending.model_dump(by_alias=True, mode="json")}
    record_outcome(WorkflowInput(message=message, delivery=delivered))


def _reject(operation_id):
    raw = json.dumps({"status": "rejected", "reason": "not in stock after all"})
    stamp = str(int(time.time()))
    event = load_event("api/confirm_operation.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/dev/v1/callbacks/{operation_id}"
    event["pathParameters"] = {"operationId": operation_id}
    event["body"] = raw
    event["headers"] |= {
        "x-ordersync-timestamp": stamp,
        "x-ordersync-signature": sign(
            SECRET, "POST", f"/v1/callbacks/{operation_id}", stamp, raw.encode()
        ),
    }
    api = load_handler(LocalTemplate.load().functions["ApiFunction"])
    return api(event, LambdaContext("api", 10))["statusCode"]


@pytest.fixture
def integration(stack):
    ConfigStore().put_integration(
        Integration(
            integration_id="erp",
            merchant_id="m1",
            name="ERP",
            base_url="https://erp.example",
            verification_secret_arn=put_secret("m1", "erp", "verification", SECRET),
        )
    )


def _order():
    return OrderStore().get("m1", "erp", "shop", "WEB-R")


@pytest.mark.parametrize("operation", list(FOLLOW_UPS))
def test_a_rejected_follow_up_restores_the_order(integration, operation):
    create = _message(OperationType.CREATE, "00000000-0000-0000-0000-0000000000c1", {})
    OrderStore().put(apply(create, None, {"id": "P-1"}))
    before = _order()
    payload, reference = FOLLOW_UPS[operation]
    follow_up = _message(operation, "00000000-0000-0000-0000-0000000000c2", payload, reference)
    _accepted_for_later(follow_up, before)
    assert _order().model_dump(exclude={"version", "updated_at"}) != before.model_dump(
        exclude={"version", "updated_at"}
    )

    assert _reject(follow_up.operation_id) == 200

    assert OperationStore().get(follow_up.operation_id).status is OperationStatus.FAILED
    assert _order().model_dump(exclude={"version", "updated_at"}) == before.model_dump(
        exclude={"version", "updated_at"}
    )
    assert _order().status is OrderStatus.ACCEPTED


def test_a_rejected_creation_leaves_no_order_behind(integration):
    create = _message(OperationType.CREATE, "00000000-0000-0000-0000-0000000000c3", {})
    _accepted_for_later(create, None)
    assert _order() is not None

    assert _reject(create.operation_id) == 200

    assert _order() is None
