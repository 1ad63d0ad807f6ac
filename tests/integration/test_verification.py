"""POST /v1/callbacks/{operationId}: the platform confirms or rejects what it accepted for later."""

import json
import time

import pytest

from local.lambdas import LambdaContext, load_handler
from local.seed import put_secret
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
OTHER_ID = "00000000-0000-0000-0000-000000000010"


@pytest.fixture
def api(stack):
    return load_handler(LocalTemplate.load().functions["ApiFunction"])


@pytest.fixture
def pending(accepted, order_request):
    ConfigStore().put_integration(
        Integration(
            integration_id="erp",
            merchant_id="m1",
            name="ERP",
            base_url="https://erp.example",
            verification_secret_arn=put_secret("m1", "erp", "verification", SECRET),
        )
    )
    message = accepted(order_request, operation_id=OPERATION_ID)
    record_outcome(WorkflowInput(message=message, delivery=summary("Pending Verification")))
    return message


@pytest.fixture
def other_pending(pending, accepted, order_request):
    """A second operation of the same integration, also waiting for its confirmation."""
    message = accepted(order_request, operation_id=OTHER_ID, order_id="WEB-2")
    record_outcome(WorkflowInput(message=message, delivery=summary("Pending Verification")))
    return message


def signed(body, *, secret=SECRET, timestamp=None, operation_id=OPERATION_ID):
    """The request as the platform sends it: the raw body and its two headers."""
    raw = json.dumps(body) if not isinstance(body, str) else body
    stamp = str(timestamp or int(time.time()))
    path = f"/v1/callbacks/{operation_id}"
    return raw, {
        "x-ordersync-timestamp": stamp,
        "x-ordersync-signature": sign(secret, "POST", path, stamp, raw.encode()),
    }


def post(api, body, *, secret=SECRET, timestamp=None, operation_id=OPERATION_ID, request=None):
    """POST a confirmation to `operation_id`'s URL, signed for it (or send `request` as it is)."""
    raw, headers = request or signed(
        body, secret=secret, timestamp=timestamp, operation_id=operation_id
    )
    event = load_event("api/confirm_operation.json")
    path = f"/dev/v1/callbacks/{operation_id}"  # HTTP API paths start with the stage
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"operationId": operation_id}
    event["body"] = raw
    event["headers"] = {"content-type": "application/json", **headers}
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
    """The contract's repeat: the platform sends its confirmation again, signed again."""
    post(api, {"status": "confirmed"}, timestamp=int(time.time()) - 1)
    status, body = post(api, {"status": "confirmed"})

    assert (status, body["status"]) == (200, "synced")


def test_a_copy_of_a_signed_confirmation_is_refused_as_a_replay(api, pending):
    captured = signed({"status": "rejected", "reason": "replayed"})
    assert post(api, None, request=captured)[0] == 200
    OperationStore().record(
        OPERATION_ID,
        status=OperationStatus.PENDING_VERIFICATION,
        attempts=2,
        outcome=None,
        where="resent; waiting for the platform's confirmation",
    )

    status, body = post(api, None, request=captured)

    assert status == 401
    assert "already used" in body["message"]
    assert OperationStore().get(OPERATION_ID).status is OperationStatus.PENDING_VERIFICATION


def test_a_confirmation_signed_for_one_operation_is_refused_at_another(api, other_pending):
    captured = signed({"status": "confirmed"}, operation_id=OPERATION_ID)

    status, _ = post(api, None, request=captured, operation_id=OTHER_ID)

    assert status == 401
    assert OperationStore().get(OTHER_ID).status is OperationStatus.PENDING_VERIFICATION
    assert post(api, None, request=captured)[0] == 200, "still good where it was meant to go"


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
        ({"operation_id": "no-such-operation"}, 401),
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


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-ordersync-timestamp": str(int(time.time()))},
        {"x-ordersync-timestamp": str(int(time.time())), "x-ordersync-signature": "v2=" + "0" * 64},
    ],
)
def test_an_unknown_and_a_known_operation_are_refused_alike(api, pending, headers):
    """Without a valid signature, nothing tells whether an operation id exists."""
    raw = json.dumps({"status": "confirmed"})
    known = post(api, None, request=(raw, headers), operation_id=OPERATION_ID)
    unknown = post(api, None, request=(raw, headers), operation_id="no-such-operation")

    assert known == unknown
    assert known[0] == 401


def test_an_operation_whose_integration_has_no_secret_is_refused_as_unknown(
    api, accepted, order_request
):
    ConfigStore().put_integration(
        Integration(
            integration_id="bare", merchant_id="m1", name="ERP", base_url="https://erp.example"
        )
    )
    accepted(order_request, operation_id=OTHER_ID, integration_id="bare")

    known = post(api, {"status": "confirmed"}, secret="", operation_id=OTHER_ID)
    unknown = post(api, {"status": "confirmed"}, secret="", operation_id="no-such-operation")

    assert known[0] == unknown[0] == 401
    assert known[1] == unknown[1]
