"""The five things a merchant does to an alert's operation. Each takes who acts (a signed-in
`Caller`, checked here for the order-sync grant, or an `Actor` the caller vouches for, such as
`Actor.resolve_link(merchant, contact)` from the resolve page) and the alert's id:

    retry(who, alert_id)             run the operation again, as it is, through the queue
    resend(who, alert_id, body)      run it again with a corrected body (the channel's rules)
    mark_synced(who, alert_id)       a person keyed it into the platform: close it, resolved
    ignore(who, alert_id)            hide the alert (nothing deleted); a waiting operation rests
    unignore(who, alert_id)          undo ignore

Each returns `Done`, or raises: Forbidden (403, the user may not act), UnknownAlert (404: none
of this merchant's alerts has this id), ActionRefused (409, why it does not apply now),
InvalidPayload (422, every problem of a resend's body), PayloadTooLarge (413). Every step is
appended to the order's history with who did it and when."""

from collections.abc import Callable
from typing import Any

from ordersync.actions import record
from ordersync.actions.actors import authorize
from ordersync.actions.bodies import corrected_body
from ordersync.actions.models import Action, ActionRefused, Actor, Done
from ordersync.alerts import policy
from ordersync.alerts.ids import alert_id as id_of
from ordersync.alerts.ids import find
from ordersync.alerts.models import Alert, AlertStatus
from ordersync.core.clock import now
from ordersync.merchants.models import Caller
from ordersync.operations import manual
from ordersync.operations.manual import NotWaiting, Seen
from ordersync.operations.models import OperationStatus
from ordersync.orders import lifecycle
from ordersync.orders.repository import OrderStore, StaleOrderState

Who = Caller | Actor
ALERT_WRITE_TRIES = 3


def _open(who: Who, alert_id: str) -> tuple[Actor, Alert, Seen]:
    actor = authorize(who)
    alert = find(actor.merchant_id, alert_id)
    seen = manual.read(alert.operation_id)
    if seen is None or seen.operation.merchant_id != actor.merchant_id:
        raise ActionRefused("the alert's operation is no longer kept (past its retention)")
    return actor, alert, seen


def _refuse_resolved(alert: Alert, what: str) -> None:
    if alert.status is AlertStatus.RESOLVED:
        raise ActionRefused(f"the alert is resolved (the order is synced): nothing to {what}")


def _step(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except NotWaiting as error:
        raise ActionRefused(str(error)) from error


def _write_alert(actor: Actor, alert: Alert, write: Callable[[Alert], bool]) -> Alert:
    """Write the alert over the one read; if something replaced it meanwhile (a run's outcome
    landing between our reads), read it again and write over that."""
    for _ in range(ALERT_WRITE_TRIES):
        if write(alert):
            return find(actor.merchant_id, id_of(alert.entity_key))
        alert = find(actor.merchant_id, id_of(alert.entity_key))
    raise ActionRefused("the alert keeps changing; read it again and retry")


def _done(action: Action, actor: Actor, alert: Alert, *, payload: Any = None) -> Done:
    """Append the step to the history, and say where the alert and operation are now."""
    moment = now()
    seen = manual.read(alert.operation_id)
    attempts = seen.operation.attempts if seen else alert.attempts
    record.append(action, actor, alert, at=moment, attempt=attempts, payload=payload)
    current = find(actor.merchant_id, id_of(alert.entity_key))
    return Done(
        alert_id=id_of(alert.entity_key),
        action=action,
        alert_status=current.status.value,
        ignored=current.ignored,
        operation_id=alert.operation_id,
        operation_status=seen.operation.status.value if seen else "unknown",
        by=actor.name,
        at=moment,
    )


def retry(who: Who, alert_id: str) -> Done:
    """Run the alert's operation again with the body it has, through the operations queue."""
    actor, alert, seen = _open(who, alert_id)
    _refuse_resolved(alert, "retry")
    _step(lambda: manual.run_again(seen, by=actor.name))
    _after_run_again(actor, alert, "retried")
    return _done(Action.RETRY, actor, alert)


def resend(who: Who, alert_id: str, body: Any) -> Done:
    """Run the alert's operation again with `body`, validated as the channel's request for the
    same operation is, replacing its body under the same operation id."""
    actor, alert, seen = _open(who, alert_id)
    _refuse_resolved(alert, "resend")
    payload = corrected_body(seen.message, body)
    _step(lambda: manual.run_again(seen, by=actor.name, payload=payload))
    _after_run_again(actor, alert, "resent with a corrected body")
    return _done(Action.RESEND, actor, alert, payload=payload)


def _after_run_again(actor: Actor, alert: Alert, verb: str) -> None:
    next_step = f"{verb} by {actor.name}; waiting for the new run"

    def write(current: Alert) -> bool:
        if current.operation_id != alert.operation_id or current.updated_at > alert.updated_at:
            return True  # the new run (or a newer operation) answered already: it says more
        return policy.await_run(current, next_step=next_step)

    _write_alert(actor, alert, write)


def mark_synced(who: Who, alert_id: str) -> Done:
    """A person keyed the operation into the platform by hand: the operation is closed as
    manually synced (by whom, when), the order's state moves as if it had been delivered, and
    the alert is resolved."""
    actor, alert, seen = _open(who, alert_id)
    _refuse_resolved(alert, "mark as synced")
    moment = now()
    _step(lambda: manual.close_by_hand(seen, by=actor.name, at=moment))
    _apply_to_order(seen)
    outcome = record.action_outcome(Action.MARK_SYNCED, actor, alert)
    _write_alert(actor, alert, lambda current: policy.resolve_by_hand(current, outcome))
    return _done(Action.MARK_SYNCED, actor, alert)


def _apply_to_order(seen: Seen) -> None:
    """Later operations on the order are checked against its state (an invoice needs a created
    order): record the hand-keyed operation there as the platform's acceptance would."""
    message, orders = seen.message, OrderStore()
    for _ in range(ALERT_WRITE_TRIES):
        state = orders.get(
            message.merchant_id, message.integration_id, message.channel_id, message.order_id
        )
        if lifecycle.already_applied(message, state):
            return
        try:
            orders.put(lifecycle.apply(message, state, {}))
            return
        except StaleOrderState:
            continue


def ignore(who: Who, alert_id: str) -> Done:
    """Hide the alert from the default view and the needs-action list; nothing is deleted.
    An operation waiting for a person rests (ignored) until someone retries or unignores it; a
    synced operation's warning is only hidden."""
    actor, alert, seen = _open(who, alert_id)
    _refuse_resolved(alert, "ignore")
    if alert.ignored:
        raise ActionRefused("the alert is ignored already")
    if seen.why_not_waiting() is None:
        _step(lambda: manual.set_aside(seen, by=actor.name))
    elif seen.operation.status is not OperationStatus.SYNCED:
        raise ActionRefused(str(seen.why_not_waiting()))
    _write_alert(actor, alert, lambda current: policy.set_ignored(current, True))
    return _done(Action.IGNORE, actor, alert)


def unignore(who: Who, alert_id: str) -> Done:
    """Show an ignored alert again; its operation waits for a person again, as it did."""
    actor, alert, seen = _open(who, alert_id)
    if not alert.ignored:
        raise ActionRefused("the alert is not ignored")
    _step(lambda: manual.take_back(seen, by=actor.name))
    _write_alert(actor, alert, lambda current: policy.set_ignored(current, False))
    return _done(Action.UNIGNORE, actor, alert)


def act(who: Who, action: Action, alert_id: str, body: Any = None) -> Done:
    """Any of the five by name (bulk runs use it; resend takes `body`)."""
    if action is Action.RESEND:
        return resend(who, alert_id, body)
    steps: dict[Action, Callable[[Who, str], Done]] = {
        Action.RETRY: retry,
        Action.IGNORE: ignore,
        Action.UNIGNORE: unignore,
        Action.MARK_SYNCED: mark_synced,
    }
    return steps[action](who, alert_id)
