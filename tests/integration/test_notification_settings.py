"""GET/PUT /v1/settings/notifications on moto: admins only, the caller's merchant only, every
problem of a body listed, and what is set is who gets emailed."""

import importlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from local.lambdas import LambdaContext
from ordersync.merchants.models import MerchantUser, Permissions, Role
from ordersync.merchants.repository import UserStore
from ordersync.notifications.models import Frequency
from ordersync.notifications.recipients import recipients
from tests.factories import load_event

merchant_api = importlib.import_module("functions.merchant_api.app")


@pytest.fixture
def merchant_users(stack) -> None:
    moment = datetime.now(UTC)
    for user_id, merchant, role, granted in (
        ("u-admin", "m1", Role.ADMIN, False),
        ("u-op", "m1", Role.OPERATOR, True),
        ("u-other", "m2", Role.ADMIN, True),
    ):
        UserStore().create(
            MerchantUser(
                user_id=user_id,
                merchant_id=merchant,
                email=f"{user_id}@{merchant}.test",
                role=role,
                permissions=Permissions(notifications=granted),
                created_at=moment,
                updated_at=moment,
            )
        )


def call(
    method: str, user_id: str, merchant: str, body: Any = None, event: str = "notification_settings"
) -> tuple[int, Any]:
    """A settings route (events/merchant_api/{get,put}_<event>.json) as `user_id` of `merchant`."""
    name = "get" if method == "GET" else "put"
    event = load_event(f"merchant_api/{name}_{event}.json")
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    claims.update({"sub": user_id, "custom:merchant_id": merchant})
    event["body"] = json.dumps(body) if body is not None else None
    answer = merchant_api.lambda_handler(
        event, LambdaContext(function_name="merchant_api", timeout_seconds=29)
    )
    return answer["statusCode"], json.loads(answer["body"])


def test_an_admin_sets_contacts_and_frequencies_and_they_decide_who_is_told(merchant_users) -> None:
    body = {
        "contacts": [
            {"name": "Ops desk", "email": "OPS@m1.test"},
            {"name": "Nights", "email": "night@m1.test", "frequency": "off"},
        ],
        "users": [{"userId": "u-op", "frequency": "hourly"}],
    }
    status, answer = call("PUT", "u-admin", "m1", body)
    assert status == 200, answer
    assert answer["contacts"][0] == {
        "name": "Ops desk",
        "email": "ops@m1.test",
        "frequency": "immediate",
    }
    users = {u["userId"]: u for u in answer["users"]}
    assert users["u-op"]["frequency"] == "hourly"
    assert users["u-admin"]["notifications"] is False  # listed, but not granted: not told
    told = {r.email: r.frequency for r in recipients("m1")}
    assert told == {"ops@m1.test": Frequency.IMMEDIATE, "u-op@m1.test": Frequency.HOURLY}
    assert call("GET", "u-admin", "m1")[1] == answer


def test_only_an_admin_and_only_their_merchant(merchant_users) -> None:
    assert call("GET", "u-op", "m1")[0] == 403
    assert call("PUT", "u-op", "m1", {"contacts": []})[0] == 403
    call("PUT", "u-admin", "m1", {"contacts": [{"email": "ops@m1.test"}]})
    status, other = call("GET", "u-other", "m2")
    assert status == 200
    assert other["contacts"] == []
    assert [u["userId"] for u in other["users"]] == ["u-other"]


def test_bad_bodies_are_422_with_every_problem_and_change_nothing(merchant_users) -> None:
    status, answer = call(
        "PUT",
        "u-admin",
        "m1",
        {
            "contacts": [
                {"name": "Evil\r\nBcc: x@y.test", "email": "not-an-email", "frequency": "weekly"}
            ],
            "merchantId": "m2",
        },
    )
    assert status == 422
    fields = {p["field"] for p in answer["problems"]}
    assert {
        "contacts[0].name",
        "contacts[0].email",
        "contacts[0].frequency",
        "merchantId",
    } <= fields
    status, answer = call(
        "PUT", "u-admin", "m1", {"users": [{"userId": "u-other", "frequency": "off"}]}
    )
    assert status == 422
    [unknown] = answer["problems"]
    assert (unknown["field"], unknown["type"]) == ("users", "unknown_user")
    assert "u-other" in unknown["problem"]
    assert call("GET", "u-admin", "m1")[1]["contacts"] == []
