"""The overview and the lists: alerts (with the triage view and the column chooser), orders by
status, and the history."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from ordersync.catalog.codes import catalog
from ordersync.console import lists, overview
from ordersync.console.render import page
from ordersync.console.web import common, current_session, query, router
from ordersync.core.clock import now
from ordersync.core.models import Level, ResponseType
from ordersync.history.query import ListStatus


@router.get("/console/overview")
def overview_page() -> Response[str]:
    current = current_session()
    merchant = current.caller.merchant_id
    counts = overview.open_alerts(merchant)
    today = now().date()
    failures, capped = overview.failures_by_day(merchant, today)
    return page(
        "overview.html",
        **common(current, "overview"),
        counts=counts,
        levels=overview.LEVELS,
        chart=overview.chart(failures, today, capped=capped),
    )


def _choices() -> dict[str, list[str]]:
    return {
        "level": [level.value for level in Level],
        "type": [kind.value for kind in ResponseType],
        "status": [status.value for status in ListStatus],
        "code": sorted(catalog()),
        "ignored": ["true", "false"],
    }


def _alert_list(active: str, params: dict[str, str], **extra: Any) -> Response[str]:
    current = current_session()
    view = lists.alert_view(current.caller.merchant_id, params)
    return page(
        "alerts.html",
        422 if view.problems else 200,
        **common(current, active),
        view=view,
        filters=lists.ALERT_FILTERS,
        choices=_choices(),
        all_columns=lists.ALL_ALERT_COLUMNS,
        refusal=current.action_refusal(),
        filter_fields=lists.filter_of(view.params),
        **extra,
    )


@router.get("/console/alerts")
def alerts_page() -> Response[str]:
    params = lists.form_params(query())
    triage = params.get("view") == "triage"
    return _alert_list("triage" if triage else "alerts", params, title="Alerts", triage=triage)


@router.get("/console/orders")
def orders_page() -> Response[str]:
    """Every order (its latest response) by status; the same list and bulk actions."""
    params = lists.form_params(query())
    status = params.get("status") or "failed"
    if status not in lists.ORDER_STATUSES:
        status = "failed"
    params["status"] = status
    return _alert_list(
        "orders", params, title="Orders", triage=False, statuses=lists.ORDER_STATUSES
    )


@router.get("/console/history")
def history_page() -> Response[str]:
    current = current_session()
    view = lists.history_view(current.caller.merchant_id, lists.form_params(query()))
    return page(
        "history.html",
        422 if view.problems else 200,
        **common(current, "history"),
        view=view,
        filters=lists.HISTORY_FILTERS,
        choices=_choices(),
    )
