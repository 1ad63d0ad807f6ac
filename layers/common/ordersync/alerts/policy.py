"""The one alert policy: every flow that learns something about an entity opens, updates or
resolves its alert here, so the rule is written once. An entity's alert is open unless the
latest response is a success or is pending the platform's confirmation."""

from datetime import datetime

from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import AlertStore
from ordersync.core.clock import now
from ordersync.core.models import Level, OperationIdentity, OperationMessage, Outcome

CLOSING_LEVELS = (Level.SUCCESS, Level.PENDING)


def record(
    subject: OperationIdentity,
    outcome: Outcome,
    *,
    next_step: str,
    attempts: int,
    history_ref: str | None = None,
    entity_key: str | None = None,
    only_once_failed: bool = False,
    retries_spent: bool = False,
    unless_newer_than: datetime | None = None,
    behind_another_operation: bool = False,
    store: AlertStore | None = None,
) -> bool:
    """Write `subject`'s alert for `outcome`; False when nothing was written.

    `entity_key`: another entity of the same operation (its callback), default the order.
    `only_once_failed`: a success writes only over an existing alert (the entity gets one of
    its own only once something failed). `unless_newer_than`: skip if the alert changed at or
    after that moment, and write only if nothing replaced it meanwhile (a sweep that began
    before a run finished must not undo the run's alert). `retries_spent`: a transient failure
    whose retry schedule ran out, so it waits for a person now. `behind_another_operation`: a
    note (the sweeper's Queued) that must not replace an open alert of another of the order's
    operations, which says what a person has to fix (a rejected creation its follow-ups wait
    for); the operation's own run writes over it when it runs."""
    alerts = store or AlertStore()
    key = entity_key or subject.entity_key
    closes = outcome.level in CLOSING_LEVELS
    guard: Alert | bool | None = False
    if only_once_failed and closes and alerts.get(subject.merchant_id, key) is None:
        return False
    if unless_newer_than is not None or behind_another_operation:
        guard = alerts.get(subject.merchant_id, key)
        if guard is not None and unless_newer_than and guard.updated_at >= unless_newer_than:
            return False
        if (
            behind_another_operation
            and guard is not None
            and guard.status is AlertStatus.OPEN
            and guard.operation_id != subject.operation_id
        ):
            return False
    moment = now()
    return alerts.upsert(
        Alert(
            entity_key=key,
            **subject.names(),
            feed_id=subject.feed_id if isinstance(subject, OperationMessage) else None,
            status=AlertStatus.RESOLVED if closes else AlertStatus.OPEN,
            outcome=outcome,
            attempts=attempts,
            retries_spent=retries_spent and not closes,
            history_ref=history_ref,
            next_step=next_step,
            created_at=moment,
            updated_at=moment,
            resolved_at=moment if closes else None,
        ),
        unless_changed_since=guard,
    )


def note_waiting(
    subject: OperationIdentity, *, waiting: bool, store: AlertStore | None = None
) -> bool:
    """Show on the order's alert that `subject` waits for the order's creation (blocked), or no
    longer does. The alert's latest response stays what it was: the reason the order is not on
    the platform (a rejected creation, say) is what the merchant must see and fix."""
    label = f"{subject.operation.value} {subject.operation_id}"
    return (store or AlertStore()).note_waiting(
        subject.merchant_id, subject.entity_key, label, waiting=waiting
    )


# ---------------------------------------------------------------------- a person's steps
# Each writes over the alert as the caller read it, only if nothing replaced it meanwhile (a
# run's outcome, another person): False if something did. They keep `updatedAt` (the time of
# the latest response, which the lists sort by) unless a new outcome comes with the step.


def set_ignored(seen: Alert, ignored: bool, *, store: AlertStore | None = None) -> bool:
    """Hide the alert from the default view (ignored), or show it again; nothing is deleted.
    The next response about the entity writes a new alert, which is shown again."""
    changed = seen.model_copy(update={"ignored": ignored})
    return (store or AlertStore()).upsert(changed, unless_changed_since=seen)


def await_run(seen: Alert, *, next_step: str, store: AlertStore | None = None) -> bool:
    """A person sent the operation again: the alert stays open (its outcome is still the latest
    response) and says what comes next, shown again if it was ignored."""
    changed = seen.model_copy(update={"ignored": False, "next_step": next_step})
    return (store or AlertStore()).upsert(changed, unless_changed_since=seen)


def resolve_by_hand(seen: Alert, outcome: Outcome, *, store: AlertStore | None = None) -> bool:
    """A person keyed the entity into the platform themselves: `outcome` (a success) closes it."""
    moment = now()
    changed = seen.model_copy(
        update={
            "outcome": outcome,
            "status": AlertStatus.RESOLVED,
            "ignored": False,
            "next_step": "none: synced by hand",
            "updated_at": moment,
            "resolved_at": moment,
        }
    )
    return (store or AlertStore()).upsert(changed, unless_changed_since=seen)
