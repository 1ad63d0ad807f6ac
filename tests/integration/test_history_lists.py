"""GET /v1/history's and GET /v1/orders/{orderId}/history's query layer on moto: records
appended by HistoryStore.append, listed through the merchant route across day buckets newest
first, and one entity's story oldest first with its contents."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationIdentity
from ordersync.history import listing
from ordersync.history.listing import HistoryQuery, list_history
from ordersync.history.models import HistoryRecord
from ordersync.history.query import InvalidQuery
from ordersync.history.repository import HistoryStore
from ordersync.history.stories import UnknownOrder, story
from ordersync.merchants.repository import UserStore
from tests.factories import merchant_call, merchant_user

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
CODES = ["Order Created", "Timeout", "SKU Not Found", "Queued"]


def identity(merchant: str, n: int) -> OperationIdentity:
    return OperationIdentity(
        operation_id=f"op-{merchant}-{n % 5}",
        operation="create",
        merchant_id=merchant,
        integration_id="erp",
        channel_id="shop" if n % 2 else "market",
        order_id=f"WEB-{n % 5}",
    )


def seed(merchant: str, count: int = 30) -> None:
    """Record n: order WEB-(n%5), day n//2 (days 0..14, some days empty with a gap), code CODES[n%4]."""
    store = HistoryStore()
    for n in range(count):
        subject = identity(merchant, n)
        store.append(
            HistoryRecord(
                **subject.names(),
                direction="shop → erp",
                entity_key=subject.entity_key,
                feed_id=f"feed-{n % 3}",
                attempt=n,
                outcome=outcome(
                    CODES[n % 4],
                    order_id=subject.order_id,
                    detail="Express",
                    http_code=200 + n,
                    system_code=f"E{n % 2}",
                    system_call="POST /orders" if n % 3 else "GET /orders",
                    system_identifier=f"PO-{n}",
                ),
                content_source=f'{{"n": {n}}}',
                content_destination="x" * 5000 if n == 4 else None,
                created_at=T0 + timedelta(days=n // 2 + (3 if n >= 20 else 0), minutes=n),
            )
        )


@pytest.fixture
def history(stack, monkeypatch):
    seed("m1")
    seed("m2")
    for merchant in ("m1", "m2"):
        UserStore().create(merchant_user(f"viewer-{merchant}", merchant, "viewer"))
    # The route walks day buckets back from today: a fixed today keeps the seed in reach.
    monkeypatch.setattr(listing, "now", lambda: datetime.combine(TODAY, T0.timetz()))
    return stack


def every(merchant: str = "m1", **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(60):
        query = {**params, "limit": "4", **({"cursor": cursor} if cursor else {})}
        status, page = merchant_call(
            "GET", "/v1/history", user_id=f"viewer-{merchant}", merchant_id=merchant, query=query
        )
        assert status == 200, page
        rows += page["items"]
        cursor = page["cursor"]
        if cursor is None:
            return rows
    raise AssertionError("paging did not end")


N = range(30)
CREATED = {n: T0 + timedelta(days=n // 2 + (3 if n >= 20 else 0), minutes=n) for n in N}
CASES = [
    ({}, set(N)),
    ({"code": "Timeout"}, {n for n in N if n % 4 == 1}),
    ({"level": "warning"}, {n for n in N if n % 4 == 2}),
    ({"status": "synced"}, {n for n in N if n % 4 in (0, 2)}),
    ({"status": "queued"}, {n for n in N if n % 4 == 3}),
    ({"identifier": "WEB-2"}, {n for n in N if n % 5 == 2}),
    ({"integration": "market"}, {n for n in N if n % 2 == 0}),
    ({"ordersyncId": "op-m1-3"}, {n for n in N if n % 5 == 3}),
    ({"httpCode": "207"}, {7}),
    ({"type": "pending"}, {n for n in N if n % 4 == 3}),
    ({"integrationId": "erp"}, set(N)),
    ({"integrationId": "shop"}, set()),  # a channel is not a destination
    ({"systemCode": "E1"}, {n for n in N if n % 2}),
    ({"systemCall": "GET /orders"}, {n for n in N if n % 3 == 0}),
    ({"systemIdentifier": "PO-12"}, {12}),
    (
        {"systemCode": "E1", "systemCall": "POST /orders", "level": "error"},
        {n for n in N if n % 2 and n % 3 and n % 4 in (1, 3)},
    ),
    (
        {"createdBefore": "2026-11-03"},
        {n for n in N if CREATED[n] < datetime(2026, 11, 3, tzinfo=UTC)},
    ),
    ({"feedId": "feed-1"}, {n for n in N if n % 3 == 1}),
    ({"feedId": "feed-1", "code": "Order Created"}, {n for n in N if n % 3 == 1 and n % 4 == 0}),
    (
        {"createdAfter": "2026-11-10"},
        {n for n in N if CREATED[n] >= datetime(2026, 11, 10, tzinfo=UTC)},
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
        {"updatedBefore": "2026-11-04T09:03:00Z", "level": "success"},
        {n for n in N if CREATED[n] < datetime(2026, 11, 4, 9, 3, tzinfo=UTC) and n % 4 == 0},
    ),
    (
        {"message": "express", "status": "failed", "createdAfter": "2026-11-05"},
        {
            n
            for n in N
            if n % 4 in (1, 3)
            and "Express" in outcome(CODES[n % 4], detail="Express").business_message
            and CREATED[n] >= datetime(2026, 11, 5, tzinfo=UTC)
        },
    ),
]


def test_each_filter_alone_and_combined_lists_exactly_its_records_newest_first(history):
    wrong = []
    for params, expected in CASES:
        rows = every(**params)
        found = [row["attempt"] for row in rows]  # the attempt number is n
        moments = [row["createdAt"] for row in rows]
        if (
            len(found) != len(set(found))
            or set(found) != expected
            or moments != sorted(moments, reverse=True)
        ):
            wrong.append((params, found, sorted(expected)))
    assert wrong == []


def test_the_day_walk_is_bounded_and_resumes_where_it_stopped(history):
    """Nothing matches: each call walks at most 31 day buckets, newest first, and the walk
    ends at the retention horizon (90 days), not at a createdAfter older than that."""
    params = {"createdAfter": "2026-06-01", "code": "Unknown Error"}
    calls, cursor = [], None
    while True:
        page = list_history(
            "m1",
            HistoryQuery.parse({**params, **({"cursor": cursor} if cursor else {})}),
            today=TODAY,
        )
        calls.append((len(page.items), page.queries, page.plans[0], page.plans[-1]))
        cursor = page.cursor
        if cursor is None:
            break
    assert calls == [
        (0, 31, "by-merchant-day:2026-11-20", "by-merchant-day:2026-10-21"),
        (0, 31, "by-merchant-day:2026-10-20", "by-merchant-day:2026-09-20"),
        (0, 29, "by-merchant-day:2026-09-19", "by-merchant-day:2026-08-22"),
    ]


def test_cursors_are_refused_for_another_merchant_or_when_tampered(history):
    first = list_history("m1", HistoryQuery.parse({"limit": "3"}), today=TODAY)
    with pytest.raises(InvalidQuery):
        list_history("m2", HistoryQuery.parse({"limit": "3", "cursor": first.cursor}), today=TODAY)
    with pytest.raises(InvalidQuery):
        list_history(
            "m1", HistoryQuery.parse({"limit": "3", "cursor": "x" + first.cursor[1:]}), today=TODAY
        )


def test_one_entitys_story_is_oldest_first_with_its_contents(history):
    key = identity("m1", 4).entity_key  # the model's entity key, whatever its format
    # An order belongs to its channel: order WEB-4 of channel "market" is records 4, 14 and 24.
    expected = [n for n in range(30) if identity("m1", n).entity_key == key]
    assert expected == [4, 14, 24]
    records, cursor = story("m1", [key], limit=2)
    assert cursor is not None
    more, end = story("m1", [key], limit=2, cursor=cursor)
    assert end is None
    every_record = records + more
    assert [r.attempt for r in every_record] == expected
    assert every_record[0].content_destination == "x" * 5000
    assert every_record[0].content_source == '{"n": 4}'
    assert story("m2", [key])[0][0].merchant_id == "m2"
    with pytest.raises(InvalidQuery):
        story("m2", [key], cursor=cursor)
    with pytest.raises(UnknownOrder):
        story("m3", [key])


def test_an_order_id_two_channels_share_is_one_story_merged_oldest_first(history):
    """WEB-1 of channel "shop" (records 1, 11, 21) and of "market" (6, 16, 26): both merged,
    paged by a cursor that remembers where each channel's records go on."""
    keys = [identity("m1", 1).entity_key, identity("m1", 6).entity_key]
    assert keys[0] != keys[1]
    seen, cursor = [], None
    for _ in range(10):
        records, cursor = story("m1", keys, limit=4, cursor=cursor)
        seen += records
        if cursor is None:
            break
    assert [r.attempt for r in seen] == [1, 6, 11, 16, 21, 26]
    assert [r.channel_id for r in seen] == ["shop", "market"] * 3
    with pytest.raises(InvalidQuery):  # a cursor for one of the two is not one for both
        story("m1", keys[:1], limit=4, cursor=story("m1", keys, limit=4)[1])
