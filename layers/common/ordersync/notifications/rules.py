"""Which change of an alert calls for an email. An alert email: the alert now waits for a
person (the alerts table's needs-action key: an error retrying cannot mend, or a transient one
whose retries are spent; open and not ignored) and did not before, or waits for a different
reason now. A transient failure still being retried, a success, a warning or an update of an
alert that was already waiting for the same thing sends nothing. An "Unsynced Order" email: the
order is newly flagged queued or pending verification (`newly_unsynced`)."""

from typing import Any

from ordersync.alerts.models import Alert
from ordersync.alerts.repository import alert_from_item


def _waits(image: dict[str, Any] | None) -> bool:
    return bool(image) and "needsAction" in (image or {})


def _code(image: dict[str, Any] | None) -> str | None:
    code = (image or {}).get("code", {}).get("S")
    return str(code) if code is not None else None


def newly_waiting(record: dict[str, Any]) -> Alert | None:
    """The alert a DynamoDB stream record (NEW_AND_OLD_IMAGES) calls for an email about."""
    change = record.get("dynamodb", {})
    new, old = change.get("NewImage"), change.get("OldImage")
    if not _waits(new):
        return None
    if _waits(old) and _code(old) == _code(new):
        return None
    return alert_from_item(new)


# An order counts as unsynced once the sweeper flags it (its grace is configuration:
# QueuedAlertMinutes after acceptance without a run, VerificationTimeoutMinutes after the
# platform accepted it without confirming): the codes of those alerts, and the state each names.
UNSYNCED_STATES = {"Queued": "queued", "Verification Overdue": "pending verification"}


def _unsynced(image: dict[str, Any] | None) -> tuple[str, str] | None:
    """(code, operation id) of an open, not ignored alert on an unsynced order."""
    if not image or image.get("status", {}).get("S") != "open":
        return None
    if image.get("ignored", {}).get("BOOL"):
        return None
    code = _code(image)
    if code not in UNSYNCED_STATES:
        return None
    return code, str(image.get("operationId", {}).get("S"))


def newly_unsynced(record: dict[str, Any]) -> Alert | None:
    """The alert a stream record calls for an "Unsynced Order" email about: its order is newly
    queued or pending verification past its grace (the same flag again sends nothing)."""
    change = record.get("dynamodb", {})
    new, old = change.get("NewImage"), change.get("OldImage")
    flagged = _unsynced(new)
    if flagged is None or flagged == _unsynced(old):
        return None
    return alert_from_item(new)
