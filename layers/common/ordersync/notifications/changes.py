"""What one change of an alert (a record of the alerts table's stream) sends: an "Unsynced
Order" email to the opted-in users if its order is newly unsynced, and the alert email to
everyone else configured if it newly waits for a person. An alert on an unsynced order reaches
an opted-in user once, as the Unsynced Order email, not twice."""

from typing import Any

from ordersync.notifications import unsynced
from ordersync.notifications.rules import newly_unsynced, newly_waiting
from ordersync.notifications.service import notify


def tell(record: dict[str, Any]) -> str:
    """Send what the stream record calls for; say what was done (the batch item's result)."""
    done = []
    flagged = newly_unsynced(record)
    if flagged is not None:
        sent = unsynced.notify(flagged)
        done.append(f"unsynced: {sent.immediate} sent, {sent.digests_due} for a digest")
    waiting = newly_waiting(record)
    if waiting is not None:
        told_apart = frozenset(r.key for r in unsynced.recipients_of(waiting))
        sent = notify(waiting, leave_out=told_apart)
        done.append(f"alert: {sent.immediate} sent, {sent.digests_due} for a digest")
    return "; ".join(done) or "nothing to tell"
