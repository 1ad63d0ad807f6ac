"""The console's buttons, each through `ordersync.actions` (which checks the user's grant
again): one action on one order, a correction resent, an action on the ticked rows (answered
per alert: done, refused and why, or not found), or on every alert matching the filters (a
bulk job, whose progress the console shows)."""

from typing import Any

from ordersync.actions import bulk, edits, jobs, service
from ordersync.actions.actors import authorize
from ordersync.actions.edits import EditField
from ordersync.actions.models import MAX_IDS, Action, ActionRefused, BulkJob, ItemResult
from ordersync.alerts.models import Alert
from ordersync.merchants.models import Caller
from ordersync.merchants.service import Forbidden
from ordersync.operations import manual

BULK_ACTIONS = (Action.RETRY, Action.IGNORE, Action.MARK_SYNCED)


def one(caller: Caller, action: Action, alert_id: str, body: Any = None) -> ItemResult:
    """One order's action, answered as a bulk item is (a refusal is a result, with why)."""
    try:
        actor = authorize(caller)
    except Forbidden as refused:
        return ItemResult(
            alert_id=alert_id, result="refused", reason="permission", message=str(refused)
        )
    if action is not Action.RESEND:
        return bulk.act_on(actor, action, alert_id)
    try:
        done = service.resend(actor, alert_id, body)
    except ActionRefused as refused:
        return ItemResult(
            alert_id=alert_id, result="refused", reason="status", message=str(refused)
        )
    return ItemResult(alert_id=alert_id, result="done", operation_status=done.operation_status)


def by_ids(caller: Caller, action: Action, ids: list[str]) -> list[ItemResult]:
    """The ticked rows (at most the domain's 1,000), each answered."""
    return bulk.by_ids(caller, action, ids[:MAX_IDS]).results


def by_filter(caller: Caller, action: Action, filters: dict[str, str]) -> BulkJob:
    """Every alert matching the filters, however many: a job the bulk-actions queue runs, page
    by page (the console shows its progress)."""
    return jobs.start(caller, action, filters)


def job(caller: Caller, job_id: str) -> BulkJob:
    return jobs.JobStore().get(caller.merchant_id, job_id)


def edit_fields(alert: Alert) -> list[EditField]:
    """What the alert's code points at in its operation's body (`actions.edits`), as the body
    holds it now; [] if there is nothing to correct or the operation is no longer kept."""
    seen = manual.read(alert.operation_id)
    return edits.fields_for(alert, seen.message.payload) if seen else []


def resend_body(alert: Alert, form: dict[str, str]) -> dict[str, Any] | None:
    """The operation's current body with the form's values for the fields the alert's code
    points at (a blank one removed), or None if the operation is no longer kept."""
    seen = manual.read(alert.operation_id)
    if seen is None:
        return None
    fields = edits.fields_for(alert, seen.message.payload)
    return edits.corrected(seen.message.payload, fields, form)
