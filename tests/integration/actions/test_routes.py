"""The action routes through the merchant API's resolver, on moto: status codes, reasons,
every problem at once, the permission matrix, and another merchant's ids."""

import copy
import json

import pytest

from local.lambdas import LambdaContext
from ordersync.alerts.repository import AlertStore
from ordersync.api import merchant_app
from ordersync.operations.records import OperationStore
from tests.factories import load_event


def call(name: str, who, *, alert: str | None = None, job: str | None = None, body=None):
    """A sample event of the merchant API (events/merchant_api/<name>.json), as `who` (a Caller)."""
    event = copy.deepcopy(load_event(f"merchant_api/{name}.json"))
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    claims.update({"sub": who.user_id, "custom:merchant_id": who.merchant_id, "email": who.email})
    for parameter, value in (("alertId", alert), ("jobId", job)):
        if value is not None:
            old = event["pathParameters"][parameter]
            event["pathParameters"][parameter] = value
            path = event["requestContext"]["http"]["path"].replace(old, value)
            event["rawPath"] = event["requestContext"]["http"]["path"] = path
    if body is not None:
        event["body"] = json.dumps(body)
    answer = merchant_app.app.resolve(event, LambdaContext("MerchantApiFunction", 29))
    return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else None


ROUTES = ["retry_alert", "ignore_alert", "mark_synced_alert"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("who", "status", "reason"),
    [
        ("viewer", 403, "a viewer reads only"),
        ("operator", 403, "off for this user until an admin grants them"),
        ("admin", 403, "off for this user until an admin grants them"),
        ("granted", 200, None),
        ("granted-admin", 200, None),
    ],
)
def test_the_permission_matrix(stack, users, outcome_of, route, who, status, reason):
    message, alert_id = outcome_of()
    code, answer = call(route, users[who], alert=alert_id)
    assert code == status, answer
    if reason:
        assert reason in answer["message"]
        assert OperationStore().get(message.operation_id).status.value == "failed"
    else:
        assert answer["alertId"] == alert_id
        assert answer["by"] == users[who].email


@pytest.mark.parametrize("route", [*ROUTES, "unignore_alert", "resend_alert"])
def test_another_merchant_s_alert_is_404_and_untouched(stack, users, outcome_of, route):
    message, alert_id = outcome_of()
    code, answer = call(route, users["other"], alert=alert_id, body=message.payload)
    assert code == 404
    assert alert_id in answer["message"]
    assert OperationStore().get(message.operation_id).status.value == "failed"


def test_an_id_that_is_no_alert_is_404_and_one_that_is_no_id_422(stack, users):
    assert call("retry_alert", users["granted"], alert="bm8tc3VjaC1lbnRpdHk")[0] == 404
    code, answer = call("retry_alert", users["granted"], alert="not%20an%20id")
    assert code == 422
    assert answer["problems"][0]["field"] == "alertId"


def test_an_action_that_does_not_apply_is_409_with_the_reason(stack, users, outcome_of):
    _, alert_id = outcome_of("Order Created")
    code, answer = call("retry_alert", users["granted"], alert=alert_id)
    assert code == 409
    assert "resolved" in answer["message"]


def test_resend_through_the_route(stack, users, outcome_of):
    message, alert_id = outcome_of()
    bad = {**message.payload, "grandTotal": "1.00", "lines": [], "merchantId": "m2"}
    code, answer = call("resend_alert", users["granted"], alert=alert_id, body=bad)
    assert code == 422
    fields = {p["field"] for p in answer["problems"]}
    assert fields == {"lines", "merchantId"}  # the total is not checked against invalid lines
    corrected = {**message.payload, "shippingMethod": "express"}
    code, answer = call("resend_alert", users["granted"], alert=alert_id, body=corrected)
    assert (code, answer["operationStatus"]) == (200, "pending")


def test_bulk_by_ids_answers_per_id(stack, users, outcome_of):
    _, failed = outcome_of()
    _, synced = outcome_of("Order Created")
    _, elsewhere = outcome_of(merchant_id="m2")
    missing = "bm8tc3VjaC1lbnRpdHk"
    body = {"action": "retry", "ids": [failed, synced, elsewhere, missing, failed]}
    code, answer = call("bulk_by_ids", users["granted"], body=body)
    assert code == 200
    assert (answer["done"], answer["refused"], answer["notFound"]) == (1, 1, 2)
    results = {r["alertId"]: r for r in answer["results"]}
    assert list(results) == [failed, synced, elsewhere, missing]  # a repeat is acted on once
    assert results[failed]["result"] == "done"
    assert results[synced]["result"] == "refused"
    assert results[synced]["reason"] == "status"
    assert "resolved" in results[synced]["message"]
    assert results[elsewhere]["result"] == "not_found"  # another merchant's: as if none


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"action": "retry"}, {"body"}),
        ({"action": "retry", "ids": ["a"], "filter": {}}, {"body"}),
        ({"action": "retry", "ids": []}, {"ids"}),
        ({"action": "retry", "ids": ["a"] * 1001}, {"ids"}),
        ({"action": "resend", "ids": ["a"]}, {"body"}),
        ({"action": "delete", "ids": ["a"]}, {"action"}),
        ({"action": "retry", "ids": ["a"], "merchantId": "m2"}, {"merchantId"}),
        (
            {"action": "ignore", "filter": {"level": "bad", "colour": "red", "cursor": "x"}},
            {"filter.level", "filter.colour", "filter.cursor"},
        ),
    ],
)
def test_a_bulk_request_that_cannot_be_read_is_422_with_every_problem(stack, users, body, fields):
    code, answer = call("bulk_by_ids", users["granted"], body=body)
    assert code == 422, answer
    assert {p["field"] for p in answer["problems"]} == fields


def test_bulk_refuses_a_viewer_before_touching_anything(stack, users, outcome_of):
    message, alert_id = outcome_of()
    for body in ({"action": "ignore", "ids": [alert_id]}, {"action": "ignore", "filter": {}}):
        code, answer = call("bulk_by_ids", users["viewer"], body=body)
        assert code == 403
        assert "viewer" in answer["message"]
    assert not AlertStore().get("m1", message.entity_key).ignored
