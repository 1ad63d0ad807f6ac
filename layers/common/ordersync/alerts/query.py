"""`GET /v1/alerts`'s query (the latest response per entity, newest first) and how a row is
shown: the shared filters of `ordersync.history.query` plus `needsAction`, and `columns=`."""

from typing import Any, ClassVar

from ordersync.alerts.ids import alert_id
from ordersync.alerts.models import Alert
from ordersync.alerts.repository import alert_fields
from ordersync.core.clock import iso
from ordersync.history.listing import row_status
from ordersync.history.query import ListQuery, ListStatus

# What an alert row shows (`columns=`) and the item attribute behind each. The list indexes
# project these (template.yaml), so a page is read from the index alone ...
ALERT_COLUMNS = {
    "alertId": "sk",
    "orderId": "identifier",
    "identifier": "identifier",
    "integration": "integrationId",
    "channel": "channelId",
    "ordersyncId": "operationId",
    "operation": "operation",
    "code": "code",
    "level": "level",
    "type": "type",
    "status": "status",
    "operationStatus": "level",  # derived: what the operation's status is (see ListStatus)
    "message": "businessMessage",
    "action": "action",
    "ignored": "ignored",
    "httpCode": "httpCode",
    "systemCode": "systemCode",
    "systemCall": "systemCall",
    "systemIdentifier": "systemIdentifier",
    "feedId": "feedId",
    "createdAt": "createdAt",
    "updatedAt": "updatedAt",
}
# ... and these are on the table item only: asking for one reads the page's items by key.
ITEM_COLUMNS = {
    "attempts": "attempts",
    "nextStep": "nextStep",
    "resolvedAt": "resolvedAt",
    "retryClass": "retryClass",
}
DEFAULT_COLUMNS = (
    "alertId",
    "orderId",
    "integration",
    "channel",
    "ordersyncId",
    "code",
    "level",
    "type",
    "status",
    "operationStatus",
    "message",
    "action",
    "ignored",
    "createdAt",
    "updatedAt",
)


class AlertQuery(ListQuery):
    """The alert list's query. `needsAction=true`: only open, not ignored alerts that wait for
    a person (the sparse needs-action index). Ignored alerts are left out unless asked for."""

    COLUMNS: ClassVar[tuple[str, ...]] = (*ALERT_COLUMNS, *ITEM_COLUMNS)

    needs_action: bool = False

    def shown(self) -> tuple[str, ...]:
        """The columns of a row; alertId always (the action routes need it)."""
        if not self.columns:
            return DEFAULT_COLUMNS
        return ("alertId", *(name for name in self.columns if name != "alertId"))

    def ignored_filter(self) -> bool | None:
        """An ignored alert is hidden from the default view (nothing is deleted): it is listed
        only when asked for, by `ignored=true` or `status=ignored`."""
        if self.ignored is None and self.status is not ListStatus.IGNORED:
            return False
        return self.ignored

    def needs_item(self) -> bool:
        return any(name in ITEM_COLUMNS for name in self.shown())


def alert_row(values: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    attributes = {**ALERT_COLUMNS, **ITEM_COLUMNS}
    row = {name: values.get(attributes[name]) for name in columns}
    if "alertId" in row:
        row["alertId"] = alert_id(values["sk"])
    if "operationStatus" in row:
        row["operationStatus"] = "ignored" if values.get("ignored") else row_status(values)
    if "ignored" in row:
        row["ignored"] = bool(values.get("ignored"))
    return row


def alert_detail(alert: Alert) -> dict[str, Any]:
    """Every column of one alert (`GET /v1/alerts/{alertId}`), from the whole item."""
    values = {"sk": alert.entity_key, "createdAt": iso(alert.created_at), **alert_fields(alert)}
    return alert_row(values, AlertQuery.COLUMNS)
