"""The console's buttons: one action on one order, a correction resent, or an action on many
(the ticked rows, or every alert that matches the filters), each through `ordersync.actions`,
which checks the user's grant again. A bulk run answers per alert: done, refused (and why) or
not found."""

from dataclasses import dataclass
from typing import Any

from ordersync.actions import service
from ordersync.actions.models import Action, ActionRefused, ItemResult
from ordersync.alerts.ids import UnknownAlert
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery
from ordersync.merchants.models import Caller
from ordersync.merchants.service import Forbidden
from ordersync.operations import manual

BULK_ACTIONS = (Action.RETRY, Action.IGNORE, Action.MARK_SYNCED)
# Alerts one submission acts on: each action is a few keyed writes and a queue message, and
# the function has 10 seconds. More matching alerts are listed as left for the next submit.
BULK_LIMIT = 200


@dataclass
class BulkRun:
    action: Action
    results: list[ItemResult]
    more: bool  # alerts past BULK_LIMIT still match the filters


def one(caller: Caller, action: Action, alert_id: str, body: Any = None) -> ItemResult:
    try:
        done = service.act(caller, action, alert_id, body)
    except Forbidden as refused:
        return ItemResult(
            alert_id=alert_id, result="refused", reason="permission", message=str(refused)
        )
    except ActionRefused as refused:
        return ItemResult(
            alert_id=alert_id, result="refused", reason="status", message=str(refused)
        )
    except UnknownAlert:
        return ItemResult(alert_id=alert_id, result="not_found", message="no such alert")
    return ItemResult(alert_id=alert_id, result="done", operation_status=done.operation_status)


def matching(caller: Caller, filters: dict[str, str]) -> tuple[list[str], bool]:
    """The ids of the alerts the filters match (at most BULK_LIMIT), and whether more match.
    Planned list Queries, as the page itself was listed."""
    query = AlertQuery.parse({**filters, "columns": "alertId", "limit": "200"})
    ids: list[str] = []
    while True:
        page = list_alerts(caller.merchant_id, query)
        ids += [row["alertId"] for row in page.items]
        if len(ids) > BULK_LIMIT:
            return ids[:BULK_LIMIT], True
        if page.cursor is None:
            return ids, False
        query = query.model_copy(update={"cursor": page.cursor})


def bulk(caller: Caller, action: Action, ids: list[str]) -> list[ItemResult]:
    unique = list(dict.fromkeys(ids))[:BULK_LIMIT]
    return [one(caller, action, alert_id) for alert_id in unique]


def resend_body(operation_id: str, corrections: dict[str, str]) -> dict[str, Any] | None:
    """The operation's current body with the corrected fields (blank ones removed), or None
    if the operation is no longer kept."""
    seen = manual.read(operation_id)
    if seen is None:
        return None
    body = dict(seen.message.payload)
    for name, value in corrections.items():
        if value:
            body[name] = value
        else:
            body.pop(name, None)
    return body


def current_body(operation_id: str) -> dict[str, Any]:
    seen = manual.read(operation_id)
    return dict(seen.message.payload) if seen else {}
