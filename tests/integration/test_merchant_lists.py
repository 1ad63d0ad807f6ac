"""The merchant's read routes on moto, called as API Gateway calls the merchant function (a
payload-2.0 event with the JWT authorizer's claims): who may read, what a bad query answers, one
alert, one order's story, and that nothing crosses from one merchant to the other."""

from datetime import UTC, datetime, timedelta

import pytest

from ordersync.alerts import policy
from ordersync.alerts.ids import alert_id
from ordersync.catalog.codes import outcome
from ordersync.config.models import Channel
from ordersync.config.repository import ConfigStore
from ordersync.core.models import OperationMessage
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.merchants.repository import UserStore
from tests.factories import merchant_call, merchant_user

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
USERS = {"demo": "u-demo-viewer", "other": "u-other-admin"}


def message(merchant: str, channel: str, order: str, n: int) -> OperationMessage:
    return OperationMessage.model_validate(
        {
            "operation_id": f"op-{merchant}-{channel}-{order}",
            "operation": "create",
            "merchant_id": merchant,
            "integration_id": f"{merchant}-erp",
            "channel_id": channel,
            "order_id": order,
            "accepted_at": T0,
            "payload": {"n": n},
        }
    )


def respond(subject: OperationMessage, code: str, at: datetime, attempt: int) -> None:
    """What the pipeline leaves after one response: its history record and the alert."""
    made = outcome(code, order_id=subject.order_id, http_code=500)
    HistoryStore().append(
        HistoryRecord(
            **subject.names(),
            direction=f"{subject.channel_id} → {subject.integration_id}",
            entity_key=subject.entity_key,
            attempt=attempt,
            outcome=made,
            content_source=f'{{"attempt": {attempt}}}',
            content_translated='{"translated": true}',
            content_destination='{"error": "busy"}',
            created_at=at,
        )
    )
    policy.now = lambda: at  # type: ignore[attr-defined]
    policy.record(subject, made, next_step="retried", attempts=attempt)


@pytest.fixture
def merchants(stack, monkeypatch):
    """Two merchants with the same order id WEB-1: demo has it in two channels (shop: a
    timeout then a success; market: a ship-method error), other in its own channel."""
    monkeypatch.setattr(policy, "now", policy.now)
    config = ConfigStore()
    for merchant, channels in (("demo", ("shop", "market")), ("other", ("other-shop",))):
        for channel in channels:
            config.put_channel(
                Channel(
                    channel_id=channel,
                    merchant_id=merchant,
                    integration_id=f"{merchant}-erp",
                    name=channel,
                ),
                credential=f"osk-{merchant}-{channel}",
            )
    shop, market = message("demo", "shop", "WEB-1", 1), message("demo", "market", "WEB-1", 2)
    respond(shop, "Timeout", T0, 1)
    respond(market, "Ship Method Mapping Missing", T0 + timedelta(minutes=1), 1)
    respond(shop, "Order Created", T0 + timedelta(minutes=2), 2)
    respond(message("other", "other-shop", "WEB-1", 3), "Timeout", T0, 1)
    UserStore().create(merchant_user(USERS["demo"], "demo", "viewer"))
    UserStore().create(merchant_user(USERS["other"], "other", "admin"))
    return {"shop": shop, "market": market}


def as_(who: str, path: str, **query: str):
    return merchant_call("GET", path, user_id=USERS[who], merchant_id=who, query=query or None)


def test_a_viewer_reads_alerts_newest_first_with_the_columns_asked(merchants):
    status, page = as_("demo", "/v1/alerts")
    assert status == 200
    assert [row["orderId"] for row in page["items"]] == ["WEB-1", "WEB-1"]
    assert [row["channel"] for row in page["items"]] == ["shop", "market"]  # newest updated first
    assert page["cursor"] is None
    _, narrow = as_("demo", "/v1/alerts", columns="code,channel", level="error")
    assert narrow["items"] == [
        {
            "alertId": alert_id(merchants["market"].entity_key),
            "code": "Ship Method Mapping Missing",
            "channel": "market",
        }
    ]


def test_every_problem_of_a_query_is_listed_at_once_as_a_422(merchants):
    status, answer = as_(
        "demo",
        "/v1/alerts",
        level="bad",
        limit="500",
        createdAfter="2026-11-10",
        createdBefore="2026-11-01",
        merchantId="other",
        columns="code,password",
    )
    assert status == 422
    fields = sorted(problem["field"] for problem in answer["problems"])
    assert fields == ["columns", "createdBefore", "level", "limit", "merchantId"]
    status, answer = as_("demo", "/v1/history", status="open", ignored="true", httpCode="99")
    assert status == 422
    assert sorted(p["field"] for p in answer["problems"]) == ["httpCode", "ignored", "status"]


@pytest.mark.parametrize("path", ["/v1/alerts", "/v1/history"])
def test_a_cursor_given_to_one_merchant_is_refused_to_the_other(merchants, path):
    status, first = as_("demo", path, limit="1")
    assert status == 200
    assert first["cursor"]
    status, answer = as_("other", path, limit="1", cursor=first["cursor"])
    assert status == 422
    assert [p["field"] for p in answer["problems"]] == ["cursor"]
    status, following = as_("demo", path, limit="1", cursor=first["cursor"])
    assert status == 200
    assert following["items"] != first["items"]


def test_a_forged_cursor_with_a_valid_digest_cannot_reach_another_merchant(merchants):
    """A cursor that passes its digest (made with the demo merchant and query) but points into
    the other merchant's partition is refused: the key must be in the token's partition."""
    from ordersync.alerts.query import AlertQuery
    from ordersync.history.paging import encode_cursor

    theirs = {
        "pk": {"S": "other"},
        "sk": {"S": "other-erp#other-shop#order#WEB-1"},
        "merchantLevel": {"S": "other#error"},
        "updatedAt": {"S": "2026-11-30T00:00:00.000Z"},
    }
    query = {"level": "error", "limit": "2"}
    forged = encode_cursor("demo", AlertQuery.parse(query).fingerprint(), {"k": theirs})
    status, answer = as_("demo", "/v1/alerts", **query, cursor=forged)
    assert status == 422
    assert [p["field"] for p in answer["problems"]] == ["cursor"]


def test_one_alert_shows_every_column_and_only_to_its_merchant(merchants):
    market = alert_id(merchants["market"].entity_key)
    status, alert = as_("demo", f"/v1/alerts/{market}")
    assert status == 200
    assert alert["alertId"] == market
    assert (alert["code"], alert["status"], alert["nextStep"], alert["attempts"]) == (
        "Ship Method Mapping Missing",
        "open",
        "retried",
        1,
    )
    assert alert["retryClass"] == "needs action"
    for who, alert_id_ in (("other", market), ("demo", "not-an-id"), ("demo", "Zm9v")):
        status, answer = as_(who, f"/v1/alerts/{alert_id_}")
        assert status == 404, (who, alert_id_)
        assert answer["message"] == "no alert of this merchant has this id"


def test_an_order_s_story_is_oldest_first_with_contents_across_the_channels_using_its_id(merchants):
    status, story = as_("demo", "/v1/orders/WEB-1/history")
    assert status == 200
    assert story["orderId"] == "WEB-1"
    assert story["cursor"] is None
    rows = story["items"]
    assert [(r["channel"], r["code"]) for r in rows] == [
        ("shop", "Timeout"),
        ("market", "Ship Method Mapping Missing"),
        ("shop", "Order Created"),
    ]
    assert rows[0]["contentSource"] == '{"attempt": 1}'
    assert rows[0]["contentTranslated"] == '{"translated": true}'
    assert rows[0]["contentDestination"] == '{"error": "busy"}'
    assert {r["integration"] for r in rows} == {"demo-erp"}
    _, shop = as_("demo", "/v1/orders/WEB-1/history", channel="shop", limit="1")
    assert [r["code"] for r in shop["items"]] == ["Timeout"]
    _, rest = as_("demo", "/v1/orders/WEB-1/history", channel="shop", cursor=shop["cursor"])
    assert [r["code"] for r in rest["items"]] == ["Order Created"]
    # the other merchant's WEB-1 is its own; demo's is nowhere in it
    _, theirs = as_("other", "/v1/orders/WEB-1/history")
    assert [(r["channel"], r["code"]) for r in theirs["items"]] == [("other-shop", "Timeout")]


def test_an_order_the_merchant_does_not_have_is_404_and_a_bad_story_query_422(merchants):
    assert as_("demo", "/v1/orders/WEB-404/history")[0] == 404
    assert as_("demo", "/v1/orders/WEB-1/history", channel="other-shop")[0] == 404
    status, answer = as_("demo", "/v1/orders/WEB-1/history", limit="0", merchant="other")
    assert status == 422
    assert sorted(p["field"] for p in answer["problems"]) == ["limit", "merchant"]
    _, first = as_("demo", "/v1/orders/WEB-1/history", limit="1")
    status, answer = as_("other", "/v1/orders/WEB-1/history", cursor=first["cursor"])
    assert status == 422


def test_a_valid_token_without_a_user_record_reads_nothing(merchants):
    for path in ("/v1/alerts", "/v1/history", "/v1/orders/WEB-1/history"):
        status, _ = merchant_call("GET", path, user_id="u-gone", merchant_id="demo")
        assert status == 403, path
