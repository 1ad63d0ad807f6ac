"""POST /v1/callbacks/{operationId}: the platform confirms or rejects what it accepted for later."""

import json
import time

import pytest

from local.lambdas import LambdaContext, _load
from local.template import LocalTemplate
from ordersync.alerts.repository import AlertStore
from ordersync.config.models import Integration
from ordersync.config.repository import ConfigStore
from ordersync.core.signing import sign
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import OperationStatus, WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import delivery_summary as summary
from tests.factories import load_event

SECRET = "verification-secret"
OPERATION_ID = "00000000-0000-0000-0000-000000000009"


@pytest.fixture
def api(stack):
    return _load(LocalTemplate.load().functions["ApiFunction"])


@pytest.fixture
def pending(accepted, order_request):
    ConfigStore().put_integration(
        Integration(
            integration_id="erp",
            merchant_id="m1",
            name="ERP",
            base_url="https://erp.example",
            verification_secret=SECRET,
        )
    )
    message = accepted(order_request, operation_id=OPERATION_ID)
    record_outcome(WorkflowInput(message=message, delivery=summary("Pending Verification")))
    return message


def post(api, body, *, secret=SECRET, timestamp=None, operation_id=OPERATION_ID):
    raw = json.dumps(body) if not isinstance(body, str) else body
    stamp = str(timestamp or int(time.time()))
    event = load_event("api/confirm_operation.json")
    path = f"/dev/v1/callbacks/{operation_id}"  # HTTP API paths start with the stage
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"operationId": operation_id}
    event["body"] = raw
    event["headers"] |= {
        "x-ordersync-timestamp": stamp,
        "x-ordersync-signature": sign(secret, stamp, raw.encode()),
    }
    answer = api(event, LambdaContext("api", 10))
    return answer["statusCode"], json.loads(answer["body"])


def test_a_signed_confirmation_syncs_the_operation(api, pending):
    status, body = post(api, {"status": "confirmed", "platformOrderId": "PO-42"})

    assert status == 200, body
    assert body["status"] == "synced"
    assert body["lastResponse"]["code"] == "Order Created"
    assert body["lastResponse"]["systemIdentifier"] == "PO-42"
    assert AlertStore().get("m1", pending.entity_key).status.value == "resolved"
    steps = [r.step for r in HistoryStore().for_entity("m1", pending.entity_key)]
    assert "verification" in steps


def test_a_repeated_confirmation_is_answered_not_refused(api, pending):
    post(api, {"status": "confirmed"})
    status, body = post(api, {"status": "confirmed"})

    assert (status, body["status"]) == (200, "synced")


def test_a_rejection_opens_a_needs_action_alert(api, pending):
    status, body = post(api, {"status": "rejected", "reason": "credit limit exceeded"})

    assert (status, body["status"]) == (200, "failed")
    alert = AlertStore().get("m1", pending.entity_key)
    assert (alert.status.value, alert.outcome.code) == ("open", "Verification Rejected")
    assert "credit limit exceeded" in alert.outcome.business_message
    assert alert.outcome.retry_class.value == "needs action"


def test_a_confirmation_after_a_rejection_conflicts(api, pending):
    post(api, {"status": "rejected", "reason": "no"})
    status, body = post(api, {"status": "confirmed"})

    assert status == 409
    assert "not awaiting confirmation" in body["message"]
    assert OperationStore().get(OPERATION_ID).status is OperationStatus.FAILED


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"secret": "guessed"}, 401),
        ({"timestamp": int(time.time()) - 3600}, 401),
        ({"operation_id": "no-such-operation"}, 404),
    ],
)
def test_unsigned_stale_or_unknown_confirmations_change_nothing(api, pending, change, expected):
    status, body = post(api, {"status": "confirmed"}, **change)

    assert status == expected
    assert body["message"]
    assert OperationStore().get(OPERATION_ID).status is OperationStatus.PENDING_VERIFICATION


def test_a_malformed_confirmation_lists_its_problems(api, pending):
    status, body = post(api, {"status": "maybe", "reason": "x" * 3000})

    assert status == 422
    assert {p["field"] for p in body["problems"]} == {"status", "reason"}
    assert OperationStore().get(OPERATION_ID).status is OperationStatus.PENDING_VERIFICATION
