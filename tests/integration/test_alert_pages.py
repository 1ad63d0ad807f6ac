"""AlertStore.page: one keyed Query on the index the filters call for, newest first, by cursor."""

from datetime import UTC, datetime, timedelta

import pytest

from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import AlertStore
from ordersync.catalog.codes import outcome
from ordersync.core.models import Level, OperationType

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
# (code, status) for orders 0..11 of merchant m1; order n is updated n minutes after T0.
MIX = [
    ("Order Created", AlertStatus.RESOLVED),
    ("Ship Method Mapping Missing", AlertStatus.OPEN),
    ("Platform Unavailable", AlertStatus.OPEN),
    ("SKU Not Found", AlertStatus.OPEN),
] * 3


def alert(merchant: str, n: int, code: str, status: AlertStatus) -> Alert:
    moment = T0 + timedelta(minutes=n)
    return Alert(
        merchant_id=merchant,
        entity_key=f"erp#order#WEB-{n}",
        integration_id="erp",
        channel_id="shop",
        identifier=f"WEB-{n}",
        operation_id=f"op-{n}",
        operation=OperationType.CREATE,
        status=status,
        outcome=outcome(code, order_id=f"WEB-{n}", detail="x"),
        attempts=1,
        next_step="…",
        created_at=moment,
        updated_at=moment,
    )


@pytest.fixture
def alerts(stack):
    store = AlertStore()
    for n, (code, status) in enumerate(MIX):
        store.upsert(alert("m1", n, code, status))
        store.upsert(alert("m2", n, code, status))  # another merchant's, never returned
    return store


def numbers(page):
    assert all(found.merchant_id == "m1" for found in page.alerts)
    return [int(found.identifier.removeprefix("WEB-")) for found in page.alerts]


def test_newest_open_alerts_come_from_the_updated_time_index_with_a_status_filter(alerts):
    page = alerts.page("m1", status=AlertStatus.OPEN, limit=4)
    assert page.index == "by-updated"
    assert numbers(page) == [11, 10, 9, 7]
    assert page.scanned == 5  # the resolved WEB-8 was read, then filtered out
    rest = alerts.page("m1", status=AlertStatus.OPEN, limit=50, cursor=page.cursor)
    assert numbers(rest) == [6, 5, 3, 2, 1]
    assert rest.cursor is None


def test_each_filter_picks_the_index_that_holds_only_what_it_asks_for(alerts):
    by_code = alerts.page("m1", code="SKU Not Found", limit=2)
    assert (by_code.index, numbers(by_code), by_code.scanned) == ("by-code", [11, 7], 2)
    errors = alerts.page("m1", level=Level.ERROR, limit=50)
    assert errors.index == "by-level"
    assert numbers(errors) == [10, 9, 6, 5, 2, 1]
    waiting = alerts.page("m1", needs_action=True, limit=50)
    assert (waiting.index, numbers(waiting), waiting.scanned) == ("needs-action", [9, 5, 1], 3)


def test_filters_the_index_does_not_hold_are_applied_to_what_it_reads(alerts):
    page = alerts.page("m1", code="Platform Unavailable", status=AlertStatus.RESOLVED)
    assert page.index == "by-code"
    assert page.alerts == []
    assert page.scanned == 3
