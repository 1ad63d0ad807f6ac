"""What the console tests share: the template's user pool on moto with the seeded users, the
console's verifier trusting moto's signing keys, and failures recorded as the pipeline does."""

import time

import boto3
import pytest

from ordersync.alerts.ids import alert_id
from ordersync.console import session
from ordersync.operations.models import WorkflowInput
from ordersync.operations.outcomes import record_outcome
from tests.console_harness import merchant_pool, moto_key_set
from tests.factories import delivery_summary, unique


@pytest.fixture
def console(stack, monkeypatch):
    client = boto3.client("cognito-idp", region_name="us-east-1")
    pool = merchant_pool(client)
    monkeypatch.setenv("MERCHANT_USER_POOL_ID", pool.pool_id)
    monkeypatch.setenv("MERCHANT_USER_POOL_CLIENT_ID", pool.client_id)
    from ordersync.core.aws import reset_clients

    reset_clients()
    verifier = session.verifier()
    verifier._keys = (time.monotonic(), moto_key_set())
    yield pool
    reset_clients()


MERCHANT = {"merchant_id": "demo-merchant", "integration_id": "demo-erp", "channel_id": "demo-shop"}


@pytest.fixture
def failed(console, accepted, order_request):
    """Orders of demo-merchant whose creation failed with `code` (the platform's `detail`);
    their alert ids."""

    def make(
        count: int = 1, code: str = "Order Creation Failed", detail: str = "?", **overrides
    ) -> list[str]:
        ids = []
        for _ in range(count):
            order_id = unique("WEB-")
            body = {**order_request, "orderId": order_id}
            if overrides.get("operation") == "shipment":
                body = {"shipmentId": "S1", "shippedAt": "2026-11-25T08:00:00Z"}
            message = accepted(body, order_id=order_id, **MERCHANT, **overrides)
            summary = delivery_summary(
                code, order_id=message.order_id, http_code=422, detail=detail
            )
            record_outcome(WorkflowInput(message=message, delivery=summary))
            ids.append(alert_id(message.entity_key))
        return ids

    return make
