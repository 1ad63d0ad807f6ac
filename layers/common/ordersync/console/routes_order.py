"""An order's page: its alert, its whole story (every response, every action and who took it),
what was sent side by side (source, translated, destination), what the code means and what to
do, and the actions this user may take.

`ordersync.console.acting` (the actions machinery: bulk jobs, the resend's bodies, the grant
checks; about 28 ms CPU of imports) is imported by the routes that use it, so a cold start
whose first request is the overview or a list does not pay for it."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from ordersync.actions.models import Action, ActionRefused, InvalidPayload
from ordersync.alerts.ids import find
from ordersync.catalog.codes import catalog
from ordersync.console.render import page, redirect
from ordersync.console.web import base, checked_form, common, current_session, first, router
from ordersync.history.stories import first_records
from ordersync.web.pages import pretty


@router.get("/console/alerts/<alertId>")
def order_page(alertId: str) -> Response[str]:  # named as in the API's routes
    from ordersync.console import acting

    current = current_session()
    merchant = current.caller.merchant_id
    alert = find(merchant, alertId)  # the merchant from the session: another's id is a 404
    records = first_records(merchant, alert.entity_key)
    latest: Any = next((r for r in reversed(records) if r.content_source), None)
    entry = catalog().get(alert.outcome.code)
    return page(
        "order.html",
        **common(current, "alerts"),
        alert=alert,
        alert_id=alertId,
        records=records,
        latest=latest,
        contents=[
            ("Source (from the channel)", pretty(latest.content_source if latest else None)),
            ("Translated", pretty(latest.content_translated if latest else None)),
            (
                "Destination (the platform's answer)",
                pretty(latest.content_destination if latest else None),
            ),
        ],
        entry=entry,
        refusal=current.action_refusal(),
        fields=acting.edit_fields(alert),
    )


def _result_page(current: Any, results: list[Any], action: str) -> Response[str]:
    return page("results.html", **common(current, "alerts"), results=results, action=action)


@router.post("/console/alerts/<alertId>/act")
def act_on_order(alertId: str) -> Response[str]:
    from ordersync.console import acting

    current = current_session()
    fields = checked_form(current)
    action = _action(first(fields, "action"), (*acting.BULK_ACTIONS, Action.UNIGNORE))
    result = acting.one(current.caller, action, alertId)
    return _result_page(current, [result], action.value)


@router.post("/console/alerts/<alertId>/resend")
def resend_order(alertId: str) -> Response[str]:
    from ordersync.console import acting

    current = current_session()
    fields = checked_form(current)
    alert = find(current.caller.merchant_id, alertId)
    body = acting.resend_body(alert, {name: first(fields, name) for name in fields})
    try:
        result = acting.one(current.caller, Action.RESEND, alertId, body)
    except InvalidPayload as invalid:
        problems = [
            f"{'.'.join(map(str, p['loc'][1:])) or 'body'}: {p['msg']}" for p in invalid.problems
        ]
        return page(
            "refused.html",
            422,
            base=base(),
            title="The correction has problems; nothing was sent",
            reason="; ".join(problems),
        )
    return _result_page(current, [result], "resend")


@router.post("/console/bulk")
def bulk_action() -> Response[str]:
    from ordersync.console import acting

    current = current_session()
    fields = checked_form(current)
    action = _action(first(fields, "action"), acting.BULK_ACTIONS)
    if first(fields, "scope") == "matching":
        filters = {
            name.removeprefix("filter."): values[0]
            for name, values in fields.items()
            if name.startswith("filter.") and values and values[0]
        }
        job = acting.by_filter(current.caller, action, filters)
        return redirect(f"{base()}/jobs/{job.job_id}")
    ids = fields.get("ids", [])
    if not ids:
        return page(
            "refused.html",
            422,
            base=base(),
            title="Nothing selected",
            reason="Tick the orders to act on, or select all matching the filters.",
        )
    return _result_page(current, acting.by_ids(current.caller, action, ids), action.value)


@router.get("/console/jobs/<jobId>")
def job_page(jobId: str) -> Response[str]:
    from ordersync.console import acting

    current = current_session()
    job = acting.job(current.caller, jobId)  # the merchant's own jobs only
    return page("job.html", **common(current, "alerts"), job=job)


def _action(raw: str, allowed: tuple[Action, ...]) -> Action:
    for action in allowed:
        if raw == action.value:
            return action
    raise ActionRefused(f"unknown action {raw!r}; one of {', '.join(a.value for a in allowed)}")
