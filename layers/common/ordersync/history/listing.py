"""The history list (`GET /v1/history`: every response, newest first) and one entity's story
(`GET /v1/orders/{orderId}/history`: oldest first, with what was sent and received).

The list walks the by-merchant-day index (partition `merchant#YYYY-MM-DD`, sorted by
createdAt) one day bucket at a time, newest first, from the end of the date range (or today)
back to its start (or the retention horizon), at most `DAYS_PER_PAGE` buckets and
`READ_BUDGET` items per call; the cursor says which day and where in it to go on. A feed id
is answered by the by-feed index (partition `merchant#feedId`) instead, without day buckets."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from ordersync.core.clock import iso, now
from ordersync.core.settings import get_settings
from ordersync.history.filters import query_terms
from ordersync.history.paging import (
    READ_BUDGET,
    Plan,
    decode_cursor,
    encode_cursor,
    refused,
    run,
)
from ordersync.history.query import ListQuery, ListStatus, last_moment_before, problem
from ordersync.history.repository import HistoryStore

DAYS_PER_PAGE = 31  # day buckets one call may walk (empty days cost a Query each)

# What a history row shows (`columns=`), and the item attribute behind each.
HISTORY_COLUMNS = {
    "createdAt": "createdAt",
    "orderId": "identifier",
    "identifier": "identifier",
    "integration": "integrationId",
    "channel": "channelId",
    "ordersyncId": "operationId",
    "operation": "operation",
    "direction": "direction",
    "step": "step",
    "attempt": "attempt",
    "code": "code",
    "level": "level",
    "type": "type",
    "status": "level",  # derived, see `row_status`
    "message": "businessMessage",
    "action": "action",
    "httpCode": "httpCode",
    "feedId": "feedId",
    "systemCode": "systemCode",
    "systemCall": "systemCall",
    "systemIdentifier": "systemIdentifier",
}


ALERTS_ONLY = (ListStatus.OPEN.value, ListStatus.RESOLVED.value, ListStatus.IGNORED.value)


class HistoryQuery(ListQuery):
    """`GET /v1/history`'s query. A record is written once: `updatedAfter`/`updatedBefore`
    narrow the same moment as `createdAfter`/`createdBefore`."""

    COLUMNS: ClassVar[tuple[str, ...]] = tuple(HISTORY_COLUMNS)

    @classmethod
    def _scope_problems(cls, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        found = []
        if params.get("status") in ALERTS_ONLY:
            found.append(problem("status", "open, resolved and ignored apply to alerts only"))
        if params.get("ignored") is not None:
            found.append(problem("ignored", "a history record is never ignored; alerts are"))
        return found

    def created_range(self) -> tuple[datetime | None, datetime | None]:
        afters = [m for m in (self.created_after, self.updated_after) if m is not None]
        befores = [m for m in (self.created_before, self.updated_before) if m is not None]
        return (max(afters) if afters else None, min(befores) if befores else None)

    def updated_range(self) -> tuple[datetime | None, datetime | None]:
        return None, None


def row_status(values: dict[str, Any]) -> str:
    """The operation status a response stands for (see ListStatus)."""
    code, level = values.get("code"), values.get("level")
    if code == "Queued":
        return ListStatus.QUEUED.value
    if code == "Order Not Yet Created":
        return ListStatus.BLOCKED.value
    if code == "Marked Synced":
        return ListStatus.MANUALLY_SYNCED.value
    if level in ("success", "warning"):
        return ListStatus.SYNCED.value
    return ListStatus.PENDING_VERIFICATION.value if level == "pending" else ListStatus.FAILED.value


def history_row(values: dict[str, Any], columns: tuple[str, ...] | None) -> dict[str, Any]:
    shown = columns or tuple(HISTORY_COLUMNS)
    row = {name: values.get(HISTORY_COLUMNS[name]) for name in shown}
    if "status" in row:
        row["status"] = row_status(values)
    return row


def plan_history(merchant_id: str, query: HistoryQuery, day: date | None = None) -> Plan:
    """The Query for one day bucket (or, with a feed id, the feed's partition). Pure."""
    after, before = query.created_range()
    low = iso(after) if after else None
    high = iso(last_moment_before(before)) if before else None
    terms = [t for t in query_terms(query) if t.attributes != ("createdAt",)]
    if query.feed_id is not None:
        rest = tuple(t for t in terms if t.attributes != ("feedId",))
        partition = ("merchantFeed", f"{merchant_id}#{query.feed_id}")
        return Plan("by-feed", partition, "createdAt", low, high, rest, reason="feed id")
    if day is None:
        raise ValueError("the day-bucket plan needs a day")
    partition = ("merchantDay", f"{merchant_id}#{day.isoformat()}")
    return Plan("by-merchant-day", partition, "createdAt", low, high, tuple(terms), reason="day")


def days(query: HistoryQuery, today: date) -> tuple[date, date]:
    """The newest and oldest day bucket the query can reach (newest first)."""
    after, before = query.created_range()
    horizon = today - timedelta(days=get_settings().history_retention_days)
    newest = min(today, last_moment_before(before).date()) if before else today
    oldest = max(horizon, after.date()) if after else horizon
    return newest, oldest


@dataclass
class HistoryList:
    items: list[dict[str, Any]]
    cursor: str | None
    scanned: int
    queries: int
    plans: list[str]

    def answer(self) -> dict[str, Any]:
        return {"items": self.items, "cursor": self.cursor}


def list_history(
    merchant_id: str, query: HistoryQuery, *, table: str | None = None, today: date | None = None
) -> HistoryList:
    """A page of the merchant's history, newest first."""
    table = table or get_settings().history_table
    fingerprint = query.fingerprint()
    state = decode_cursor(merchant_id, fingerprint, query.cursor) if query.cursor else {}
    items: list[dict[str, Any]] = []
    scanned = queries = 0
    plans: list[str] = []
    if query.feed_id is not None:
        plan = plan_history(merchant_id, query)
        page = run(plan, table, limit=query.limit, start=_start(plan, merchant_id, state))
        rows = [history_row(v, query.columns) for v in page.items]
        following = {"k": page.next_start} if page.next_start else None
        cursor = encode_cursor(merchant_id, fingerprint, following) if following else None
        return HistoryList(rows, cursor, page.scanned, page.queries, page.plans)
    newest, oldest = days(query, today or now().date())
    day = _day(state.get("d"), newest, oldest) if state else newest
    start_state = state
    walked = 0
    next_state: dict[str, Any] | None = None
    while day >= oldest:
        plan = plan_history(merchant_id, query, day)
        page = run(
            plan,
            table,
            limit=query.limit - len(items),
            start=_start(plan, merchant_id, start_state),
            budget=max(1, READ_BUDGET - scanned),
        )
        start_state = {}
        walked += 1
        scanned, queries = scanned + page.scanned, queries + page.queries
        plans.append(f"{plan.index}:{day.isoformat()}")
        items += page.items
        if page.next_start:
            next_state = {"d": day.isoformat(), "k": page.next_start}
            break
        day -= timedelta(days=1)
        if len(items) >= query.limit or scanned >= READ_BUDGET or walked >= DAYS_PER_PAGE:
            next_state = {"d": day.isoformat()} if day >= oldest else None
            break
    rows = [history_row(v, query.columns) for v in items]
    cursor = encode_cursor(merchant_id, fingerprint, next_state) if next_state else None
    return HistoryList(rows, cursor, scanned, queries, plans)


def _day(raw: Any, newest: date, oldest: date) -> date:
    try:
        day = date.fromisoformat(str(raw))
    except ValueError as error:
        raise refused("not a cursor this API gave") from error
    if not oldest <= day <= newest:
        raise refused("this cursor is outside the query's date range")
    return day


def _start(plan: Plan, merchant_id: str, state: dict[str, Any]) -> dict[str, Any] | None:
    start = state.get("k") if state else None
    if start is None:
        return None
    if not isinstance(start, dict) or not plan.check_start(
        start, lambda pk: pk.startswith(f"{merchant_id}#")
    ):
        raise refused("this cursor does not belong to this merchant's list")
    return start


# ---------------------------------------------------------------------- one entity's story
def story(
    merchant_id: str,
    entity_key: str,
    *,
    limit: int = 200,
    cursor: str | None = None,
    table: str | None = None,
) -> tuple[list[Any], str | None]:
    """One entity's whole history, oldest first, contents included, `limit` records a call.
    `entity_key` is the model's (`OperationIdentity.entity_key`): its format is not assumed."""
    plan = Plan(None, ("pk", f"{merchant_id}#{entity_key}"), "sk", forward=True, reason="story")
    fingerprint = {"story": entity_key}
    state = decode_cursor(merchant_id, fingerprint, cursor) if cursor else {}
    start = state.get("k")
    if start is not None and not (isinstance(start, dict) and _story_start(plan, start)):
        raise refused("this cursor does not belong to this story")
    page = run(plan, table or get_settings().history_table, limit=limit, start=start)
    records = [HistoryStore.record_from(values) for values in page.items]
    following = {"k": page.next_start} if page.next_start else None
    return records, encode_cursor(merchant_id, fingerprint, following) if following else None


def _story_start(plan: Plan, start: dict[str, Any]) -> bool:
    keys = {
        name: value.get("S") if isinstance(value, dict) else None for name, value in start.items()
    }
    return set(keys) == {"pk", "sk"} and keys["pk"] == plan.partition[1]
