"""GET /v1/alerts on moto: alerts written by the one policy (alerts.policy.record), listed
through the merchant route (and list_alerts under it) with each filter alone and combined,
paged by cursor, newest first."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ordersync.alerts import policy
from ordersync.alerts.ids import UnknownAlert, find
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery
from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationMessage
from ordersync.history.query import InvalidQuery
from ordersync.merchants.repository import UserStore
from tests.factories import merchant_call, merchant_user

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CODES = [
    "Order Created",
    "Ship Method Mapping Missing",
    "Timeout",
    "SKU Not Found",
    "Pending Verification",
    "Queued",
]


def message(merchant: str, n: int) -> OperationMessage:
    return OperationMessage.model_validate(
        {
            "operation_id": f"op-{merchant}-{n}",
            "operation": "create",
            "merchant_id": merchant,
            "integration_id": "erp" if n % 3 else "wms",
            "channel_id": "shop" if n % 2 else "market",
            "order_id": f"WEB-{n}",
            "feed_id": f"feed-{n % 4}",
            "accepted_at": T0,
            "payload": {},
        }
    )


def seed(monkeypatch, merchant: str, count: int = 24) -> None:
    """Order n: created on day n//2, code CODES[n % 6]; every third updated 3 days later."""
    for n in range(count):
        created = T0 + timedelta(days=n // 2, minutes=n)
        code = CODES[n % len(CODES)]
        facts = {
            "order_id": f"WEB-{n}",
            "detail": "Shipping method Express",
            "http_code": 400 + n % 2,
            "system_code": f"E{n % 2}",
            "system_call": "POST /orders" if n % 3 else "GET /orders",
            "system_identifier": f"PO-{n}",
        }
        monkeypatch.setattr(policy, "now", lambda moment=created: moment)
        policy.record(message(merchant, n), outcome(code, **facts), next_step="…", attempts=1)
        if n % 3 == 0:
            monkeypatch.setattr(policy, "now", lambda moment=created + timedelta(days=3): moment)
            policy.record(
                message(merchant, n), outcome(code, **facts), next_step="again", attempts=2
            )


@pytest.fixture
def alerts(stack, monkeypatch):
    seed(monkeypatch, "m1")
    seed(monkeypatch, "m2")
    for merchant in ("m1", "m2"):
        UserStore().create(merchant_user(f"viewer-{merchant}", merchant, "viewer"))
    return stack


def every(merchant: str = "m1", **params: Any) -> list[dict[str, Any]]:
    """All pages of the query, three at a time, checking each page is newest first."""
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        query = {
            **params,
            "limit": "3",
            "columns": "orderId,updatedAt,createdAt,status,code,level",
            **({"cursor": cursor} if cursor else {}),
        }
        status, page = merchant_call(
            "GET", "/v1/alerts", user_id=f"viewer-{merchant}", merchant_id=merchant, query=query
        )
        assert status == 200, page
        rows += page["items"]
        cursor = page["cursor"]
        if cursor is None:
            break
    return rows


def orders(rows: list[dict[str, Any]]) -> set[int]:
    return {int(row["orderId"].removeprefix("WEB-")) for row in rows}


def newest_first(rows: list[dict[str, Any]], field: str = "updatedAt") -> bool:
    moments = [row[field] for row in rows]
    return moments == sorted(moments, reverse=True)


N = range(24)
UPDATED = {n: T0 + timedelta(days=n // 2 + (3 if n % 3 == 0 else 0), minutes=n) for n in N}
CREATED = {n: T0 + timedelta(days=n // 2, minutes=n) for n in N}
LEVEL = {
    "Order Created": "success",
    "Ship Method Mapping Missing": "error",
    "Timeout": "error",
    "SKU Not Found": "warning",
    "Pending Verification": "pending",
    "Queued": "error",
}


def code(n: int) -> str:
    return CODES[n % 6]


CASES = [
    ({}, set(N)),
    ({"level": "error"}, {n for n in N if LEVEL[code(n)] == "error"}),
    ({"type": "destination mapping"}, {n for n in N if code(n) == "Ship Method Mapping Missing"}),
    ({"code": "Timeout"}, {n for n in N if code(n) == "Timeout"}),
    # successes have no by-code and by-level entries: by-updated answers them, filtered
    ({"level": "success"}, {n for n in N if LEVEL[code(n)] == "success"}),
    ({"code": "Order Created", "integration": "wms"}, {n for n in N if n % 6 == 0}),
    ({"status": "open"}, {n for n in N if LEVEL[code(n)] in ("error", "warning")}),
    ({"status": "resolved"}, {n for n in N if LEVEL[code(n)] in ("success", "pending")}),
    ({"status": "synced"}, {n for n in N if LEVEL[code(n)] in ("success", "warning")}),
    ({"status": "failed"}, {n for n in N if LEVEL[code(n)] == "error"}),
    ({"status": "pending"}, {n for n in N if code(n) == "Pending Verification"}),
    ({"status": "queued"}, {n for n in N if code(n) == "Queued"}),
    ({"integration": "wms"}, {n for n in N if n % 3 == 0}),
    ({"integration": "market"}, {n for n in N if n % 2 == 0}),
    ({"integrationId": "erp"}, {n for n in N if n % 3}),
    ({"identifier": "WEB-7"}, {7}),
    ({"ordersyncId": "op-m1-8"}, {8}),
    ({"feedId": "feed-1"}, {n for n in N if n % 4 == 1}),
    (
        {"httpCode": "401"},
        {n for n in N if n % 2 and code(n) not in ("Order Created", "Pending Verification")}
        | {n for n in N if n % 2 and LEVEL[code(n)] in ("success", "pending")},
    ),
    (
        {"message": "express"},
        {
            n
            for n in N
            if "Express" in outcome(code(n), detail="Shipping method Express").business_message
        },
    ),
    ({"systemCode": "E0"}, {n for n in N if n % 2 == 0}),
    ({"systemCall": "GET /orders"}, {n for n in N if n % 3 == 0}),
    ({"systemIdentifier": "PO-9"}, {9}),
    ({"ignored": "false"}, set(N)),
    ({"ignored": "true"}, set()),
    ({"needsAction": "true"}, {n for n in N if code(n) == "Ship Method Mapping Missing"}),
    (
        {"createdAfter": "2026-11-08"},
        {n for n in N if CREATED[n] >= datetime(2026, 11, 8, tzinfo=UTC)},
    ),
    (
        {"createdBefore": "2026-11-04"},
        {n for n in N if CREATED[n] < datetime(2026, 11, 4, tzinfo=UTC)},
    ),
    (
        {"createdAfter": "2026-11-03", "createdBefore": "2026-11-06"},
        {
            n
            for n in N
            if datetime(2026, 11, 3, tzinfo=UTC) <= CREATED[n] < datetime(2026, 11, 6, tzinfo=UTC)
        },
    ),
    (
        {"updatedAfter": "2026-11-10"},
        {n for n in N if UPDATED[n] >= datetime(2026, 11, 10, tzinfo=UTC)},
    ),
    (
        {"updatedBefore": "2026-11-05"},
        {n for n in N if UPDATED[n] < datetime(2026, 11, 5, tzinfo=UTC)},
    ),
    # combinations
    (
        {"level": "error", "integration": "erp", "createdAfter": "2026-11-04"},
        {
            n
            for n in N
            if LEVEL[code(n)] == "error"
            and n % 3
            and CREATED[n] >= datetime(2026, 11, 4, tzinfo=UTC)
        },
    ),
    (
        {"code": "Timeout", "status": "open", "updatedBefore": "2026-11-09"},
        {n for n in N if code(n) == "Timeout" and UPDATED[n] < datetime(2026, 11, 9, tzinfo=UTC)},
    ),
    (
        {
            "status": "failed",
            "message": "Express",
            "createdBefore": "2026-11-10",
            "createdAfter": "2026-11-02",
        },
        {
            n
            for n in N
            if code(n) == "Ship Method Mapping Missing"
            and datetime(2026, 11, 2, tzinfo=UTC) <= CREATED[n] < datetime(2026, 11, 10, tzinfo=UTC)
        },
    ),
    ({"status": "failed", "level": "success"}, set()),
    (
        {"systemCode": "E0", "type": "API request", "integrationId": "erp"},
        {
            n
            for n in N
            if n % 2 == 0 and n % 3 and code(n) in ("Order Created", "Timeout", "SKU Not Found")
        },
    ),
]


def test_each_filter_alone_and_combined_returns_exactly_its_alerts_newest_first(alerts):
    """One seeded stack for every case (a stack takes seconds to create): each case pages
    through all its alerts three at a time."""
    wrong = []
    for params, expected in CASES:
        rows = every(**params)
        by_created = "createdBefore" in params and not (
            {"code", "status", "updatedAfter", "updatedBefore"} & set(params)
        )
        if (
            len(rows) != len(orders(rows))
            or orders(rows) != expected
            or not newest_first(rows, "createdAt" if by_created else "updatedAt")
        ):
            wrong.append(
                (params, sorted(orders(rows)), sorted(expected), [r["orderId"] for r in rows])
            )
    assert wrong == []
    assert len(CASES) == 36


def test_another_merchants_alerts_are_never_listed(alerts):
    page = list_alerts("m3", AlertQuery.parse({}))
    assert page.items == []
    assert page.cursor is None


def test_a_tampered_or_foreign_cursor_is_refused(alerts):
    first = list_alerts("m1", AlertQuery.parse({"level": "error", "limit": "2"}))
    assert first.cursor
    with pytest.raises(InvalidQuery, match="problem"):  # m2 replays m1's cursor
        list_alerts(
            "m2", AlertQuery.parse({"level": "error", "limit": "2", "cursor": first.cursor})
        )
    with pytest.raises(InvalidQuery):  # the same cursor with another query
        list_alerts(
            "m1", AlertQuery.parse({"level": "warning", "limit": "2", "cursor": first.cursor})
        )
    with pytest.raises(InvalidQuery):
        list_alerts("m1", AlertQuery.parse({"level": "error", "cursor": first.cursor[:-3] + "xyz"}))


def test_columns_off_the_index_are_read_by_key_only_when_asked(alerts):
    plain = list_alerts("m1", AlertQuery.parse({"limit": "5"}))
    assert plain.fetched == 0
    assert set(plain.items[0]) >= {
        "alertId",
        "orderId",
        "integration",
        "code",
        "level",
        "type",
        "status",
        "message",
        "action",
        "ignored",
        "createdAt",
        "updatedAt",
    }
    asked = list_alerts("m1", AlertQuery.parse({"limit": "5", "columns": "nextStep,attempts"}))
    assert asked.fetched == 5
    assert asked.items[0]["nextStep"] in ("…", "again")
    assert set(asked.items[0]) == {"alertId", "nextStep", "attempts"}


def test_an_alert_id_finds_the_alert_only_for_its_merchant(alerts):
    row = list_alerts("m1", AlertQuery.parse({"identifier": "WEB-5"})).items[0]
    assert find("m1", row["alertId"]).identifier == "WEB-5"
    with pytest.raises(UnknownAlert):
        find("m3", row["alertId"])
