"""`GET /v1/alerts`: a page of the merchant's alerts, planned by `ordersync.alerts.planner`,
newest first, with an opaque cursor bound to the merchant and the query."""

from dataclasses import dataclass
from typing import Any

from ordersync.alerts.planner import plan_alerts
from ordersync.alerts.query import AlertQuery, alert_row
from ordersync.core.dynamo import from_item, to_item
from ordersync.core.settings import get_settings
from ordersync.history.paging import decode_cursor, encode_cursor, fetch, refused, run


@dataclass
class AlertList:
    items: list[dict[str, Any]]
    cursor: str | None
    index: str
    scanned: int  # index entries read (ScannedCount)
    fetched: int  # items read by key besides (keys-only index, or columns off the index)
    queries: int

    def answer(self) -> dict[str, Any]:
        return {"items": self.items, "cursor": self.cursor}


def list_alerts(merchant_id: str, query: AlertQuery, *, table: str | None = None) -> AlertList:
    """The page `query` asks for, of `merchant_id`'s alerts only."""
    table = table or get_settings().alerts_table
    plan = plan_alerts(merchant_id, query)
    fingerprint = query.fingerprint()
    start = None
    if query.cursor:
        state = decode_cursor(merchant_id, fingerprint, query.cursor)
        start = state.get("k")
        owns = merchant_id.__eq__  # the alerts table's partition key is the merchant
        if not isinstance(start, dict) or not plan.check_start(start, owns):
            raise refused("this cursor does not belong to this merchant's list")
    page = run(plan, table, limit=query.limit, start=start)
    items, fetched = page.items, page.fetched
    if query.needs_item() and not plan.keys_only and items:
        items = [from_item(item) for item in fetch(table, [_key(v) for v in items])]
        fetched += len(items)
    columns = query.shown()
    cursor = (
        encode_cursor(merchant_id, fingerprint, {"k": page.next_start}) if page.next_start else None
    )
    return AlertList(
        [alert_row(values, columns) for values in items],
        cursor,
        plan.index or "table",
        page.scanned,
        fetched,
        page.queries,
    )


def _key(values: dict[str, Any]) -> dict[str, Any]:
    return to_item({"pk": values["pk"], "sk": values["sk"]})
