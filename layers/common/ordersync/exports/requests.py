"""What an export asks for: which list, which format, and the list's own query (every filter and
`columns=`, validated by the list's model), with every problem reported at once."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery
from ordersync.exports.jobs import ExportFormat, ExportKind
from ordersync.history.listing import HISTORY_COLUMNS, HistoryQuery, list_history
from ordersync.history.query import MAX_LIMIT, InvalidQuery, ListQuery, problem

# Paging belongs to the lists; an export holds every matching row.
PAGING = ("limit", "cursor")


@dataclass(frozen=True)
class ExportRequest:
    kind: ExportKind
    format: ExportFormat
    query: ListQuery
    params: dict[str, str]  # the filters as sent: a job parses them again when it runs

    def columns(self) -> tuple[str, ...]:
        if isinstance(self.query, AlertQuery):
            return self.query.shown()
        return self.query.columns or tuple(HISTORY_COLUMNS)

    def pages(self, merchant_id: str) -> Iterator[list[dict[str, Any]]]:
        """Every matching row of `merchant_id`'s list, a page at a time, newest first."""
        cursor: str | None = None
        while True:
            query = self.query.model_copy(update={"limit": MAX_LIMIT, "cursor": cursor})
            if isinstance(query, AlertQuery):
                listed: Any = list_alerts(merchant_id, query)
            else:
                listed = list_history(merchant_id, query)  # type: ignore[arg-type]
            yield listed.items
            cursor = listed.cursor
            if not cursor:
                return


def parse_export(
    kind: ExportKind, params: Mapping[str, str] | None, format_: str | None = None
) -> ExportRequest:
    """The export `params` (a request's query string) ask for; `format` defaults to CSV.
    InvalidQuery lists every problem: the format, paging, and the list's own."""
    filters = dict(params or {})
    raw_format = filters.pop("format", format_) or ExportFormat.CSV.value
    problems: list[dict[str, Any]] = []
    if raw_format not in {f.value for f in ExportFormat}:
        problems.append(problem("format", f"must be csv or xlsx, not {raw_format!r}", "enum"))
    for name in PAGING:
        if filters.pop(name, None) is not None:
            message = "an export holds every matching row; limit and cursor page the lists"
            problems.append(problem(name, message, "extra_forbidden"))
    model = AlertQuery if kind is ExportKind.ALERTS else HistoryQuery
    query: ListQuery | None = None
    try:
        query = model.parse(filters)
    except InvalidQuery as invalid:
        problems += invalid.problems
    if problems or query is None:
        raise InvalidQuery(problems)
    return ExportRequest(kind, ExportFormat(raw_format), query, filters)
