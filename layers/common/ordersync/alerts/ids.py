"""An alert's stable id for the action routes: the entity key, base64url without padding.

It is opaque and URL-safe, and it is only ever looked up together with the merchant from the
token (the alerts table's partition key), so one merchant's id cannot reach another's alert: the
same id under another merchant names an entity of that merchant, or nothing."""

import base64
import binascii

from ordersync.alerts.models import Alert
from ordersync.alerts.repository import AlertStore


class UnknownAlert(LookupError):
    """No alert of this merchant has this id (a malformed id included): a 404."""


def alert_id(entity_key: str) -> str:
    return base64.urlsafe_b64encode(entity_key.encode()).decode().rstrip("=")


def entity_key_of(alert_id_: str) -> str:
    """The entity key an alert id stands for; UnknownAlert if it stands for none."""
    if not alert_id_ or len(alert_id_) > 1024 or "=" in alert_id_:
        raise UnknownAlert(alert_id_)
    try:
        key = base64.urlsafe_b64decode(alert_id_ + "=" * (-len(alert_id_) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise UnknownAlert(alert_id_) from error
    if not key or alert_id(key) != alert_id_:  # one id per key: no aliases
        raise UnknownAlert(alert_id_)
    return key


def find(merchant_id: str, alert_id_: str, store: AlertStore | None = None) -> Alert:
    """The merchant's alert with this id (the merchant from the token); UnknownAlert if none."""
    found = (store or AlertStore()).get(merchant_id, entity_key_of(alert_id_))
    if found is None:
        raise UnknownAlert(alert_id_)
    return found
