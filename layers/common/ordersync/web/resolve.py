"""The resolve page: what an emailed link opens (GET, which never spends it) and the action
it takes (POST, which spends it once). The link's token is the only credential; the alert it
names is read by the merchant and entity it was issued for, so nothing of another is shown."""

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response

from ordersync.actions import edits
from ordersync.actions.bodies import corrected_body
from ordersync.actions.models import Action, ActionRefused, Actor, InvalidPayload
from ordersync.alerts.ids import UnknownAlert, alert_id
from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import AlertStore
from ordersync.catalog.codes import catalog
from ordersync.history.stories import first_records
from ordersync.merchants.service import Forbidden
from ordersync.notifications import tokens
from ordersync.notifications.tokens import Grant, TokenRefused
from ordersync.operations import manual
from ordersync.web import csrf
from ordersync.web.pages import page, pretty, refused

DONE = {
    Action.RETRY: "Sent again as it was: the alert closes when the platform accepts it.",
    Action.RESEND: "Resent with your changes: the alert closes when the platform accepts it.",
    Action.MARK_SYNCED: "Marked as synced: the alert is resolved.",
    Action.IGNORE: "Ignored: the alert is hidden from the open list; nothing was deleted.",
}


def _grant(token: str) -> tuple[Grant, Alert]:
    grant = tokens.check(token, tokens.RESOLVE)
    alert = AlertStore().get(grant.merchant_id, grant.entity_key or "")
    if alert is None:  # the alert is gone (past its retention): the link opens nothing
        raise TokenRefused(410, "This alert no longer exists.")
    return grant, alert


def show(token: str, secure: bool) -> Response[str]:
    try:
        grant, alert = _grant(token)
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    return _page(grant, alert, secure)


def _page(
    grant: Grant,
    alert: Alert,
    secure: bool,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    entered: dict[str, str] | None = None,
    result: str | None = None,
) -> Response[str]:
    records = first_records(alert.merchant_id, alert.entity_key, limit=100)
    # The alert's own operation as sent to the platform (not its callback or customer steps).
    with_contents = [
        r
        for r in records
        if r.operation_id == alert.operation_id
        and r.step == "order"
        and (r.content_source or r.content_destination)
    ] or [r for r in records if r.content_source or r.content_destination]
    fields = [
        replace(field, value=(entered or {}).get(field.name, field.value))
        for field in _fields(alert)
    ]
    cookie, form_token = csrf.issue(grant.digest, secure)
    entry = catalog().get(alert.outcome.code)
    actionable = grant.used_at is None and result is None and alert.status is AlertStatus.OPEN
    return page(
        "resolve.html",
        status,
        cookies=[cookie],
        alert=alert,
        meaning=entry.description if entry else "",
        latest=with_contents[-1] if with_contents else None,
        history=list(reversed(records)),
        fields=fields,
        actionable=actionable and not alert.ignored,
        grant=grant,
        csrf_token=form_token,
        problems=problems or [],
        result=result,
        pretty=pretty,
    )


def _fields(alert: Alert) -> list[edits.EditField]:
    """What the alert's code points at in its operation's body, as the body holds it now."""
    seen = manual.read(alert.operation_id)
    return edits.fields_for(alert, seen.message.payload) if seen else []


def act(token: str, body: str, cookies: list[str], secure: bool) -> Response[str]:
    try:
        grant, alert = _grant(token)
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        if not csrf.valid(grant.digest, cookies, form.get("csrf", "")):
            raise TokenRefused(403, "This form has expired. Open the link again and retry.")
        if grant.used_at is not None:
            raise TokenRefused(410, "This link has been used already.")
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    try:
        action = Action(form.get("action", ""))
    except ValueError:
        return _page(grant, alert, secure, status=422, problems=["Choose an action."])
    edited = {f.name: form[f.name].strip() for f in _fields(alert) if f.name in form}
    return _run(grant, alert, action, edited, secure)


def _run(
    grant: Grant, alert: Alert, action: Action, edited: dict[str, str], secure: bool
) -> Response[str]:
    # The actions' service (the order's lifecycle, the operation's blocking, the alert policy:
    # about 4 ms CPU of imports) is the POST's alone; a link's first request is mostly its GET.
    from ordersync.actions import service as actions

    actor = Actor.resolve_link(grant.merchant_id, grant.sent_to or "an emailed link")
    body: dict[str, Any] | None = None
    if action is Action.RESEND:
        seen = manual.read(alert.operation_id)
        if seen is not None:
            fields = edits.fields_for(alert, seen.message.payload)
            body = edits.corrected(seen.message.payload, fields, edited)
            try:  # checked before the link is spent: fields to fix leave it usable
                corrected_body(seen.message, body)
            except InvalidPayload as invalid:
                problems = [_problem(p) for p in invalid.problems]
                return _page(grant, alert, secure, status=422, problems=problems, entered=edited)
    try:
        tokens.spend(grant, action.value)
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    try:
        actions.act(actor, action, alert_id(alert.entity_key), body)
    except (ActionRefused, InvalidPayload, Forbidden, UnknownAlert) as refusal:
        tokens.give_back(grant)  # nothing was done: the link may try again
        problems = [_problem(p) for p in getattr(refusal, "problems", [])] or [str(refusal)]
        return _page(grant, alert, secure, status=409, problems=problems, entered=edited)
    current = AlertStore().get(alert.merchant_id, alert.entity_key) or alert
    spent = tokens.check_spent(grant)
    return _page(spent, current, secure, result=DONE.get(action, "Done."))


def _problem(problem: dict[str, Any]) -> str:
    where = ".".join(map(str, problem["loc"][1:]))
    return f"{where}: {problem['msg']}" if where else str(problem["msg"])
