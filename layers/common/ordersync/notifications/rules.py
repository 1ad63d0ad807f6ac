"""Which change of an alert calls for an email: the alert now waits for a person (the alerts
table's needs-action key: an error retrying cannot mend, or a transient one whose retries are
spent; open and not ignored) and did not before, or waits for a different reason now. A
transient failure still being retried, a success, a warning or an update of an alert that was
already waiting for the same thing sends nothing."""

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
