import json
import ssl
from datetime import UTC, datetime

import pytest

from local.seed import DEMO_CHANNEL, DEMO_INTEGRATION, DEMO_MERCHANT, seed_demo
from ordersync.alerts.repository import AlertStore
from ordersync.callbacks import sender
from ordersync.callbacks.sender import post_callback
from ordersync.catalog.errors import CallbackUnavailableError
from ordersync.core.models import OperationMessage, entity_key
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import OperationStatus, RecordedOutcome


@pytest.fixture
def message(stack, platform, order_request):
    seed_demo(f"http://127.0.0.1:{platform.server_port}")
    return OperationMessage(
        operation_id="00000000-0000-0000-0000-00000000000c",
        operation="create",
        merchant_id=DEMO_MERCHANT,
        integration_id=DEMO_INTEGRATION,
        channel_id=DEMO_CHANNEL,
        order_id="WEB-1",
        accepted_at=datetime.now(UTC),
        payload=order_request,
    )


def spy(function, calls):
    def called(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return called


def recorded(code, level):
    return RecordedOutcome(
        disposition="done",
        status=OperationStatus.FAILED,
        code=code,
        level=level,
        business_message="m",
        action="a",
    )


def test_a_failure_is_posted_signed_and_recorded_as_alert_updated(message, platform):
    sent = post_callback(message, recorded("Order Creation Failed", "error"))
    assert sent.code == "Alert Updated"
    [received] = platform.state.callbacks
    assert received["verified"] is True
    assert received["body"]["code"] == "Order Creation Failed"
    [record] = HistoryStore().for_entity(DEMO_MERCHANT, message.entity_key)
    assert (record.step, record.outcome.code) == ("callback", "Alert Updated")
    assert json.loads(record.content_translated)["code"] == "Order Creation Failed"


def test_a_refused_callback_opens_its_own_alert_and_a_later_success_closes_it(message, platform):
    platform.state.faults.append({"kind": "status", "status": 400, "path": "/callbacks"})
    assert (
        post_callback(message, recorded("Order Created", "success")).code == "Alert Update Failed"
    )
    key = entity_key(DEMO_INTEGRATION, "callback", "WEB-1", channel_id=message.channel_id)
    assert AlertStore().get(DEMO_MERCHANT, key).status.value == "open"
    assert (
        post_callback(message, recorded("Order Created", "success")).code
        == "Integration Status Updated"
    )
    assert AlertStore().get(DEMO_MERCHANT, key).status.value == "resolved"
    assert AlertStore().get(DEMO_MERCHANT, message.entity_key) is None, (
        "the order's own alert is untouched"
    )


def test_an_unavailable_callback_is_raised_for_the_workflow_to_retry(message, platform):
    platform.state.faults.append({"kind": "status", "status": 503, "path": "/callbacks"})
    with pytest.raises(CallbackUnavailableError):
        post_callback(message, recorded("Order Created", "success"))


def test_callbacks_share_one_pooled_client(message, platform, monkeypatch):
    built = []
    monkeypatch.setattr(ssl, "create_default_context", spy(ssl.create_default_context, built))
    sender._http.cache_clear()
    for code in ("Order Creation Failed", "Order Created", "Order Creation Failed"):
        post_callback(message, recorded(code, "error" if "Failed" in code else "success"))
    assert len(platform.state.callbacks) == 3
    assert len(built) == 1  # a client per call built a TLS context for each
