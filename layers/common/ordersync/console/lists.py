"""The alert, order and history lists as the console asks for them: the filter form's fields
(blank ones dropped), the ready views (triage, orders by status), the column chooser, and the
link to the next page. Each page is one planned list call (`ordersync.alerts.listing`,
`ordersync.history.listing`): the planner's indexed Query, never a Scan, never a count."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlencode

from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import ALERT_COLUMNS, ITEM_COLUMNS, AlertQuery
from ordersync.core.clock import iso, now
from ordersync.history.listing import HistoryQuery, list_history
from ordersync.history.query import InvalidQuery

# The alert filters, in the form's order, with the label each field shows.
ALERT_FILTERS = {
    "level": "Level",
    "type": "Type",
    "code": "Code",
    "status": "Status",
    "integration": "Integration",
    "identifier": "Order id or SKU",
    "message": "Message contains",
    "httpCode": "HTTP code",
    "feedId": "Feed id",
    "systemCode": "System code",
    "systemCall": "System call",
    "systemIdentifier": "System identifier",
    "ordersyncId": "ordersync id",
    "integrationId": "Integration id",
    "ignored": "Ignored",
    "createdAfter": "Created after",
    "createdBefore": "Created before",
    "updatedAfter": "Updated after",
    "updatedBefore": "Updated before",
}
HISTORY_FILTERS = {k: v for k, v in ALERT_FILTERS.items() if k != "ignored"}
ALL_ALERT_COLUMNS = tuple(name for name in (*ALERT_COLUMNS, *ITEM_COLUMNS) if name != "alertId")
# What the console shows unless the column chooser says otherwise: a phone-sized row. The
# other columns (feed id, system code, ordersync id, integration id, ...) are one click away.
CONSOLE_COLUMNS = ("orderId", "code", "level", "operationStatus", "message", "updatedAt")
ORDER_STATUSES = {"synced": "Successful", "pending": "Pending", "failed": "Failed"}
PAGE_SIZE = 50


@dataclass
class ListView:
    """What a list page shows: the query as the form holds it, the rows, the next page."""

    params: dict[str, str]
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_query: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    index: str = ""

    def link(self, **changes: str | None) -> str:
        """This view's query string with `changes` (None drops a parameter)."""
        merged = {**self.params, **changes}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def form_params(raw: Mapping[str, str] | None) -> dict[str, str]:
    """The query string as the filter form sent it, blank fields left out."""
    return {name: value.strip() for name, value in (raw or {}).items() if value.strip()}


def triage_params() -> dict[str, str]:
    """Errors updated today (UTC): the view a merchant opens first."""
    midnight = datetime.combine(now().date(), time(0), tzinfo=UTC)
    return {"level": "error", "updatedAfter": iso(midnight)}


def _problems(error: InvalidQuery) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in problem["loc"][1:]) or "query",
            "problem": problem["msg"],
        }
        for problem in error.problems
    ]


def alert_view(merchant_id: str, params: dict[str, str]) -> ListView:
    """A page of the merchant's alerts for the form's `params` (never another merchant's)."""
    params = dict(params)
    if params.pop("view", None) == "triage":
        params = {**triage_params(), **params}
    chosen = params.get("columns")
    params.setdefault("columns", ",".join(CONSOLE_COLUMNS))
    view = ListView(params, tuple((chosen or ",".join(CONSOLE_COLUMNS)).split(",")))
    try:
        query = AlertQuery.parse({**params, "limit": str(PAGE_SIZE)})
    except InvalidQuery as error:
        view.problems = _problems(error)
        return view
    found = list_alerts(merchant_id, query)
    view.columns = tuple(c for c in query.shown() if c != "alertId")
    view.rows, view.index = found.items, found.index
    if found.cursor:
        view.next_query = view.link(cursor=found.cursor)
    return view


def history_view(merchant_id: str, params: dict[str, str]) -> ListView:
    """A page of the merchant's history (every response), newest first."""
    params = dict(params)
    columns = ("createdAt", "orderId", "code", "level", "status", "message")
    view = ListView(params, columns)
    try:
        query = HistoryQuery.parse(
            {**params, "limit": str(PAGE_SIZE), "columns": ",".join(columns)}
        )
    except InvalidQuery as error:
        view.problems = _problems(error)
        return view
    found = list_history(merchant_id, query)
    view.rows, view.index = found.items, "by-merchant-day"
    if found.cursor:
        view.next_query = view.link(cursor=found.cursor)
    return view


def filter_of(params: Mapping[str, str]) -> dict[str, str]:
    """The filters alone (what "select all matching" acts on): no paging, no columns."""
    return {k: v for k, v in params.items() if k in ALERT_FILTERS}
