"""Success alerts carry no by-code and by-level entries (those indexes are sparse), and every
list still answers them: `level=success` and a success's code read the by-updated index with a
filter, one keyed Query plan, paged by cursor, never a Scan, never another merchant's alert."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.dynamo_meter import table_shapes
from bench.dynamo_units import index_write_units
from local.template import LocalTemplate
from ordersync.alerts import policy
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.models import AlertStatus
from ordersync.alerts.query import AlertQuery
from ordersync.alerts.repository import AlertStore
from ordersync.catalog.codes import outcome
from ordersync.core import aws
from ordersync.core.models import Level, OperationMessage
from ordersync.merchants.repository import UserStore
from tests.factories import merchant_call, merchant_user

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# Order n's code: successes and the rest interleaved, so a filtered page skips entries.
CODES = [
    "Order Created",
    "Platform Unavailable",
    "Ship Method Mapping Missing",
    "Order Created",
    "Marked Synced",
    "SKU Not Found",
    "Order Updated",
]
SUCCESS = {"Order Created", "Marked Synced", "Order Updated"}
COUNT = 21


def message(merchant: str, n: int) -> OperationMessage:
    return OperationMessage.model_validate(
        {
            "operation_id": f"op-{merchant}-{n}",
            "operation": "create",
            "merchant_id": merchant,
            "integration_id": "erp",
            "channel_id": "shop",
            # Another merchant's orders have their own names: one listed for m1 would show.
            "order_id": f"{merchant.upper()}-{n}",
            "accepted_at": T0,
            "payload": {},
        }
    )


def record(monkeypatch, merchant: str, n: int, code: str, minutes: int = 0) -> None:
    moment = T0 + timedelta(minutes=n + minutes)
    monkeypatch.setattr(policy, "now", lambda: moment)
    facts = {"order_id": f"{merchant.upper()}-{n}", "detail": "x"}
    policy.record(message(merchant, n), outcome(code, **facts), next_step="…", attempts=1)


def item(stack, merchant: str, n: int) -> dict[str, Any]:
    key = {"pk": {"S": merchant}, "sk": {"S": message(merchant, n).entity_key}}
    found = stack.item("AlertsTable", key)
    assert found is not None
    return found


def entries(stack, index: str, key: str, value: str) -> int:
    return stack.dynamodb.query(
        TableName=stack.resources["AlertsTable"],
        IndexName=index,
        KeyConditionExpression="#k = :v",
        ExpressionAttributeNames={"#k": key},
        ExpressionAttributeValues={":v": {"S": value}},
    )["Count"]


def test_a_success_alert_has_no_by_code_or_by_level_entry(stack, monkeypatch):
    record(monkeypatch, "m1", 1, "Order Created")
    record(monkeypatch, "m1", 2, "Platform Unavailable")
    success, error = item(stack, "m1", 1), item(stack, "m1", 2)
    assert "merchantCode" not in success
    assert "merchantLevel" not in success
    assert success["merchantId"] == {"S": "m1"}  # by-updated and by-created still hold it
    assert error["merchantCode"] == {"S": "m1#Platform Unavailable"}
    assert error["merchantLevel"] == {"S": "m1#error"}
    assert entries(stack, "by-code", "merchantCode", "m1#Order Created") == 0
    assert entries(stack, "by-level", "merchantLevel", "m1#success") == 0
    assert entries(stack, "by-level", "merchantLevel", "m1#error") == 1
    assert entries(stack, "by-updated", "merchantId", "m1") == 2


def test_what_a_person_did_keeps_its_by_code_entry(stack, monkeypatch):
    """Marked Synced is a success, but rare and looked for by name (`status=manually_synced`):
    its by-code entry keeps that list one exact Query."""
    record(monkeypatch, "m1", 1, "Marked Synced")
    marked = item(stack, "m1", 1)
    assert marked["merchantCode"] == {"S": "m1#Marked Synced"}
    assert "merchantLevel" not in marked
    assert entries(stack, "by-code", "merchantCode", "m1#Marked Synced") == 1


def test_reaching_success_removes_the_entries_and_leaving_it_adds_them(stack, monkeypatch):
    shape = table_shapes(LocalTemplate.load().sam)["AlertsTable"]
    record(monkeypatch, "m1", 1, "Platform Unavailable")
    failed = item(stack, "m1", 1)
    record(monkeypatch, "m1", 1, "Order Created", minutes=5)
    created = item(stack, "m1", 1)
    assert "merchantCode" not in created
    assert "merchantLevel" not in created
    assert entries(stack, "by-code", "merchantCode", "m1#Platform Unavailable") == 0
    assert entries(stack, "by-level", "merchantLevel", "m1#error") == 0
    # by-updated moves (2); by-code and by-level lose their entry (1 each) instead of moving it
    assert index_write_units(shape, failed, created) == 2 + 1 + 1

    record(monkeypatch, "m1", 1, "Order Update Failed", minutes=10)
    again = item(stack, "m1", 1)
    assert again["merchantCode"] == {"S": "m1#Order Update Failed"}
    assert again["merchantLevel"] == {"S": "m1#error"}
    assert entries(stack, "by-level", "merchantLevel", "m1#error") == 1
    assert entries(stack, "by-code", "merchantCode", "m1#Order Update Failed") == 1
    # by-updated moves (2); by-code and by-level gain an entry (1 each); needs-action gains one
    assert index_write_units(shape, created, again) == 2 + 1 + 1 + 1
    # A fresh success: by-updated and by-created only.
    record(monkeypatch, "m1", 2, "Order Created")
    assert index_write_units(shape, None, item(stack, "m1", 2)) == 2


@pytest.fixture
def mixed(stack, monkeypatch):
    for merchant in ("m1", "m2"):
        for n in range(COUNT):
            record(monkeypatch, merchant, n, CODES[n % len(CODES)])
        UserStore().create(merchant_user(f"viewer-{merchant}", merchant, "viewer"))
    return stack


@pytest.fixture
def calls() -> Iterator[list[tuple[str, str | None]]]:
    """The DynamoDB calls made meanwhile: (operation, index)."""
    seen: list[tuple[str, str | None]] = []

    def note(model: Any, params: dict[str, Any], **_: Any) -> None:
        seen.append((model.name, params.get("IndexName")))

    events = aws.dynamodb().meta.events
    events.register("before-parameter-build.dynamodb", note, unique_id="success-alert-calls")
    yield seen
    events.unregister("before-parameter-build.dynamodb", unique_id="success-alert-calls")


def every(merchant: str, **params: str) -> list[str]:
    """All pages through the merchant route, two at a time; each page newest first."""
    orders, cursor = [], None
    for _ in range(COUNT):
        query = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page = merchant_call(
            "GET", "/v1/alerts", user_id=f"viewer-{merchant}", merchant_id=merchant, query=query
        )
        assert status == 200, page
        moments = [row["updatedAt"] for row in page["items"]]
        assert moments == sorted(moments, reverse=True)
        orders += [row["orderId"] for row in page["items"]]
        cursor = page["cursor"]
        if cursor is None:
            return orders
    raise AssertionError("the cursor never ended")


def newest_first(merchant: str, codes: set[str]) -> list[str]:
    wanted = [n for n in range(COUNT) if CODES[n % len(CODES)] in codes]
    return [f"{merchant.upper()}-{n}" for n in sorted(wanted, reverse=True)]


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"level": "success"}, SUCCESS),
        ({"code": "Order Created"}, {"Order Created"}),
        ({"status": "manually_synced"}, {"Marked Synced"}),
        ({"code": "Order Updated", "status": "resolved"}, {"Order Updated"}),
        ({"status": "synced"}, SUCCESS | {"SKU Not Found"}),
        ({"level": "error"}, {"Platform Unavailable", "Ship Method Mapping Missing"}),
        ({"code": "Order Created", "level": "error"}, set()),
    ],
)
def test_success_lists_page_through_every_match_of_this_merchant_only(mixed, calls, params, codes):
    for merchant in ("m1", "m2"):
        assert every(merchant, **params) == newest_first(merchant, codes)
    assert calls
    assert {operation for operation, _ in calls} <= {"Query", "GetItem"}


def test_success_lists_read_the_updated_time_index_with_a_filter(mixed, calls):
    for params in ({"level": "success"}, {"code": "Order Created"}):
        query = AlertQuery.parse({**params, "limit": "2"})
        first = list_alerts("m1", query)
        assert first.index == "by-updated"
        rest = list_alerts("m1", AlertQuery.parse({**params, "limit": "2", "cursor": first.cursor}))
        assert [row["orderId"] for row in first.items + rest.items] == newest_first(
            "m1", SUCCESS if "level" in params else {"Order Created"}
        )[:4]
    assert set(calls) == {("Query", "by-updated")}


def test_the_store_pages_successes_by_cursor_from_the_updated_time_index(mixed):
    store, found, cursor = AlertStore(), [], None
    while True:
        page = store.page(
            "m1", level=Level.SUCCESS, status=AlertStatus.RESOLVED, limit=4, cursor=cursor
        )
        assert page.index == "by-updated"
        found += [alert.identifier for alert in page.alerts]
        cursor = page.cursor
        if cursor is None:
            break
    assert found == newest_first("m1", SUCCESS)
    created = store.page("m1", code="Order Created", limit=50)
    assert created.index == "by-updated"
    assert [alert.identifier for alert in created.alerts] == newest_first("m1", {"Order Created"})
    assert store.page("m1", code="Platform Unavailable", limit=50).index == "by-code"
