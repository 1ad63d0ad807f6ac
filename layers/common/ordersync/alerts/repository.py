"""The alerts table: keyed by merchant and entity, with the indexes a merchant lists them by."""

from dataclasses import dataclass
from typing import Any

from ordersync.alerts.models import Alert, AlertStatus
from ordersync.catalog.codes import catalog
from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.dynamo import Update, from_item, outcome_attributes, outcome_from, to_item
from ordersync.core.models import Level, ResponseType, RetryClass
from ordersync.core.settings import get_settings
from ordersync.history.paging import fetch


def listed_by_level(level: Level) -> bool:
    """Whether alerts of `level` have by-code and by-level entries. A success (an order created,
    updated, ...) is most alerts and nobody triages it, so it has neither (the two indexes are
    sparse: 2 write units less on each); a list of successes reads by-updated with a filter."""
    return level is not Level.SUCCESS


def _code_listed(level: Level, kind: ResponseType) -> bool:
    # What a person did (Marked Synced above all) is rare and looked for by name: its by-code
    # entry costs next to nothing and keeps `status=manually_synced` one exact Query.
    return listed_by_level(level) or kind is ResponseType.PERSON_ACTION


def listed_by_code(code: str) -> bool:
    """Whether the by-code index holds `code`'s alerts: a code has one level and type (the
    catalog's, which every outcome is made from). An unknown code is looked up there and finds
    nothing."""
    entry = catalog().get(code)
    return entry is None or _code_listed(entry.level, entry.type)


def alert_fields(alert: Alert) -> dict[str, Any]:
    """The attributes an alert's item holds besides its key and createdAt (None: removed).

    Index keys: merchantId (by updated and created time), merchantCode and merchantLevel unless
    the outcome is a success (`listed_by_level`: an update to a success removes them, one
    write each, and one to another level adds them back; a person's action keeps its
    merchantCode), and needsAction only while the
    alert is open, not ignored and waiting for a person: an error retrying cannot mend, or a
    transient one whose retries are spent. The alert emails go out for exactly these
    (ordersync.notifications.rules)."""
    outcome = alert.outcome
    open_ = alert.status is AlertStatus.OPEN
    needs_action = (
        open_
        and not alert.ignored
        and outcome.level is Level.ERROR
        and (
            outcome.retry_class in (RetryClass.NEEDS_ACTION, RetryClass.FINAL)
            or alert.retries_spent
        )
    )
    by_code = _code_listed(outcome.level, outcome.type)
    by_level = listed_by_level(outcome.level)
    return {
        "merchantId": alert.merchant_id,
        "merchantCode": f"{alert.merchant_id}#{outcome.code}" if by_code else None,
        "merchantLevel": f"{alert.merchant_id}#{outcome.level.value}" if by_level else None,
        "needsAction": alert.merchant_id if needs_action else None,
        "integrationId": alert.integration_id,
        "channelId": alert.channel_id,
        "identifier": alert.identifier,
        "feedId": alert.feed_id,
        "operationId": alert.operation_id,
        "operation": alert.operation.value,
        "status": alert.status.value,
        "ignored": alert.ignored,
        "retriesSpent": alert.retries_spent,
        "attempts": alert.attempts,
        "historyRef": alert.history_ref,
        "nextStep": alert.next_step,
        "updatedAt": iso(alert.updated_at),
        "resolvedAt": iso(alert.resolved_at) if alert.resolved_at else None,
        **outcome_attributes(alert.outcome),
    }


class AlertStore:
    """The latest response per merchant + entity. Only `ordersync.alerts.policy` writes."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().alerts_table

    def upsert(self, alert: Alert, *, unless_changed_since: Alert | bool | None = False) -> bool:
        """Write the entity's alert. With `unless_changed_since` (the alert as read, or None if
        there was none) the write only happens if nothing replaced it meanwhile; False if so."""
        update = Update().set_all(alert_fields(alert))
        update.set_if_absent("createdAt", iso(alert.created_at))
        if unless_changed_since is None:
            update.when("attribute_not_exists(pk)")
        elif isinstance(unless_changed_since, Alert):
            update.when("#updatedAt = :seen", seen=iso(unless_changed_since.updated_at))
        key = {"pk": {"S": alert.merchant_id}, "sk": {"S": alert.entity_key}}
        return update.apply(self._table, key).done

    def note_waiting(self, merchant_id: str, entity_key: str, label: str, *, waiting: bool) -> bool:
        """Add `label` to (or take it from) the alert's operations that wait for the order; only
        on an alert that exists (False otherwise: the operation's own record says it waits)."""
        update = Update().when("attribute_exists(pk)")
        if waiting:
            update.add("waiting", {label})
        else:
            update.delete("waiting", {label})
        key = {"pk": {"S": merchant_id}, "sk": {"S": entity_key}}
        return update.apply(self._table, key).done

    def get(self, merchant_id: str, entity_key: str) -> Alert | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self._table, Key={"pk": {"S": merchant_id}, "sk": {"S": entity_key}}
            )
            .get("Item")
        )
        return _alert(from_item(item)) if item else None

    def page(
        self,
        merchant_id: str,
        *,
        status: AlertStatus | None = None,
        code: str | None = None,
        level: Level | None = None,
        needs_action: bool = False,
        limit: int = 50,
        cursor: dict[str, Any] | None = None,
    ) -> "AlertPage":
        """A merchant's alerts, newest first, at most `limit`, from `cursor` on.

        One index answers: needs-action, else by code, else by level, else by updated time
        (which alone holds successes); the other filters become a filter expression (what
        they drop is read all the same).
        The merchant lists use `ordersync.alerts.listing` (every filter, rows, signed cursors);
        this returns whole alerts, read by key after the index Query."""
        if needs_action:
            index, partition = "needs-action", ("needsAction", merchant_id)
        elif code is not None and listed_by_code(code):
            index, partition = "by-code", ("merchantCode", f"{merchant_id}#{code}")
        elif level is not None and listed_by_level(level):
            index, partition = "by-level", ("merchantLevel", f"{merchant_id}#{level.value}")
        else:
            index, partition = "by-updated", ("merchantId", merchant_id)
        names = {"#pk": partition[0]}
        values: dict[str, Any] = {":pk": partition[1]}
        filters = []
        wanted = {"status": status.value if status else None}
        if index != "by-code":
            wanted["code"] = code
        if index not in ("by-level", "needs-action"):
            wanted["level"] = level.value if level else None
        for number, (attribute, value) in enumerate(wanted.items()):
            if value is not None:
                names[f"#f{number}"], values[f":f{number}"] = attribute, value
                filters.append(f"#f{number} = :f{number}")
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
            "ScanIndexForward": False,
        }
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        found: list[dict[str, Any]] = []
        scanned = 0
        while len(found) < limit:
            if cursor:
                request["ExclusiveStartKey"] = cursor
            response = aws.dynamodb().query(**request, Limit=limit - len(found))
            scanned += response["ScannedCount"]
            found += response.get("Items", [])
            cursor = response.get("LastEvaluatedKey")
            if not cursor:
                break
        # The indexes project what a list shows; a whole Alert needs the item itself.
        items = fetch(self._table, found) if found else []
        return AlertPage([_alert(from_item(item)) for item in items], cursor, scanned, index)


@dataclass
class AlertPage:
    alerts: list[Alert]
    cursor: dict[str, Any] | None  # where the next page starts; None after the last
    scanned: int  # items read to answer (DynamoDB's ScannedCount): what the page costs
    index: str


def alert_from_item(item: dict[str, Any]) -> Alert:
    """An alert from its item as DynamoDB writes it (a stream record's image included)."""
    return _alert(from_item(item))


def _alert(values: dict[str, Any]) -> Alert:
    return Alert.model_validate(
        {**values, "entityKey": values["sk"], "outcome": outcome_from(values)}
    )
