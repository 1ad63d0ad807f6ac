"""Data access for operations, history and alerts: keyed reads and writes only, never a Scan."""

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, cast

from botocore.exceptions import ClientError

from ordersync import aws
from ordersync.dynamo import from_item, to_item
from ordersync.lifecycle import OrderState
from ordersync.models import (
    Alert,
    AlertStatus,
    Deadline,
    HistoryRecord,
    Level,
    Operation,
    OperationMessage,
    OperationStatus,
    Outcome,
    RetryClass,
    Watch,
)
from ordersync.settings import get_settings

# Content above this size is stored compressed so a record stays far below DynamoDB's 400 KB.
COMPRESS_ABOVE_BYTES = 4096
# What a platform answers is unbounded: past this, only its beginning is kept (three contents of
# at most ~86 KB once compressed and base64-encoded fit one item with room to spare).
KEEP_AT_MOST_BYTES = 64_000
TRUNCATED = "\n…[truncated: {dropped} more bytes not kept]"

_OUTCOME_FIELDS = tuple(Outcome.model_fields)


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pack_payload(payload: dict[str, Any]) -> bytes:
    """The operation's body, compressed (its last response is too): every update of the
    operation rewrites the whole item and pays a write unit per started KB, so a 1-2 KB item
    would double each of them."""
    return _pack(json.dumps(payload, separators=(",", ":")))


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode(), 6)


def unpack_payload(values: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(zlib.decompress(_raw(values["payloadZ"])))
    return loaded


def _raw(packed: Any) -> bytes:
    """The bytes of a binary attribute (boto3 wraps them in Binary)."""
    return bytes(packed.value if hasattr(packed, "value") else packed)


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _update_unless_condition_fails(**request: Any) -> bool:
    """UpdateItem; False instead of an error when its ConditionExpression does not hold."""
    try:
        aws.dynamodb().update_item(**request)
    except ClientError as error:
        if "ConditionExpression" in request and _is_condition_failure(error):
            return False
        raise
    return True


def _outcome_attributes(outcome: Outcome) -> dict[str, Any]:
    return outcome.model_dump(by_alias=True, mode="json")


def _outcome_from(values: dict[str, Any]) -> Outcome:
    fields = {Outcome.model_fields[name].alias or name for name in _OUTCOME_FIELDS}
    return Outcome.model_validate({k: v for k, v in values.items() if k in fields})


class Lease(StrEnum):
    TAKEN = "taken"
    HELD = "held"  # another run has it
    FINISHED = "finished"  # nothing left to run: a repeated message must not run it again


# Statuses a run must never start from: the platform has the operation, or a person closed it.
FINISHED = frozenset(
    {
        OperationStatus.SYNCED,
        OperationStatus.PENDING_VERIFICATION,
        OperationStatus.MANUALLY_SYNCED,
        OperationStatus.IGNORED,
    }
)
_FINISHED_VALUES = {f":finished{i}": status.value for i, status in enumerate(sorted(FINISHED))}


def _deadline_attributes(deadline: Deadline) -> dict[str, str]:
    return {"watch": deadline.watch.value, "watchUntil": iso(deadline.until)}


class OperationStore:
    """One item per accepted operation, keyed by its operation id."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().operations_table

    def create(self, message: OperationMessage) -> bool:
        """Record a newly accepted operation; False if it was already recorded."""
        moment = iso(now())
        item = {
            "operationId": message.operation_id,
            "operation": message.operation.value,
            "merchantId": message.merchant_id,
            "integrationId": message.integration_id,
            "channelId": message.channel_id,
            "orderId": message.order_id,
            "feedId": message.feed_id,
            "status": OperationStatus.PENDING.value,
            "attempts": 0,
            "acceptedAt": iso(message.accepted_at),
            "updatedAt": moment,
            "payloadHash": payload_hash(message.payload),
            "payloadZ": pack_payload(message.payload),
            "reference": message.reference,
            "where": "accepted; waiting in the operations queue",
            **_deadline_attributes(
                Deadline(
                    watch=Watch.QUEUED,
                    until=message.accepted_at
                    + timedelta(minutes=get_settings().queued_alert_minutes),
                )
            ),
        }
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item=to_item({k: v for k, v in item.items() if v is not None}),
                ConditionExpression="attribute_not_exists(operationId)",
            )
        except ClientError as error:
            if _is_condition_failure(error):
                return False
            raise
        return True

    def resend(self, message: OperationMessage, waiting_code: str) -> bool:
        """Replace the body of an operation that waits for a person (its last answer was
        `waiting_code`) and make it pending again; False if it is not waiting any more."""
        moment = now()
        deadline = Deadline(
            watch=Watch.QUEUED,
            until=moment + timedelta(minutes=get_settings().queued_alert_minutes),
        )
        return _update_unless_condition_fails(
            TableName=self._table,
            Key={"operationId": {"S": message.operation_id}},
            UpdateExpression="SET payloadZ = :payload, payloadHash = :hash, #status = :pending, "
            "#where = :where, updatedAt = :now, watch = :watch, watchUntil = :watchUntil",
            ConditionExpression="#status IN (:failed, :skipped) AND lastCode = :code",
            ExpressionAttributeNames={"#status": "status", "#where": "where"},
            ExpressionAttributeValues=to_item(
                {
                    ":payload": pack_payload(message.payload),
                    ":hash": payload_hash(message.payload),
                    ":pending": OperationStatus.PENDING.value,
                    ":where": "resent with a corrected body; waiting in the operations queue",
                    ":now": iso(moment),
                    **{f":{name}": value for name, value in _deadline_attributes(deadline).items()},
                    ":failed": OperationStatus.FAILED.value,
                    ":skipped": OperationStatus.SKIPPED.value,
                    ":code": waiting_code,
                }
            ),
        )

    def acquire(self, operation_id: str, holder: str, seconds: float) -> Lease:
        """Take the operation's run lease, unless another run holds it or nothing is left to do."""
        moment = now()
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"operationId": {"S": operation_id}},
                UpdateExpression="SET leaseHolder = :holder, leaseUntil = :until",
                ConditionExpression="attribute_exists(operationId) AND "
                "(attribute_not_exists(leaseUntil) OR leaseUntil < :now) AND "
                "NOT (#status IN (" + ", ".join(_FINISHED_VALUES) + "))",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":holder": holder,
                        ":until": iso(moment + timedelta(seconds=seconds)),
                        ":now": iso(moment),
                        **_FINISHED_VALUES,
                    }
                ),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            old = from_item(cast(dict[str, Any], error.response.get("Item") or {}))
            if not old or old.get("status") in FINISHED:
                return Lease.FINISHED
            return Lease.HELD
        return Lease.TAKEN

    def release(self, operation_id: str, holder: str) -> None:
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"operationId": {"S": operation_id}},
                UpdateExpression="REMOVE leaseHolder, leaseUntil",
                ConditionExpression="leaseHolder = :holder",
                ExpressionAttributeValues={":holder": {"S": holder}},
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise

    def payload_hash_of(self, operation_id: str) -> str | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self._table,
                Key={"operationId": {"S": operation_id}},
                ProjectionExpression="payloadHash",
            )
            .get("Item")
        )
        return item["payloadHash"]["S"] if item else None

    def _item(self, operation_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = (
            aws.dynamodb()
            .get_item(TableName=self._table, Key={"operationId": {"S": operation_id}})
            .get("Item")
        )
        return found

    def get(self, operation_id: str) -> Operation | None:
        item = self._item(operation_id)
        return operation_from_item(item) if item else None

    def record(
        self,
        operation_id: str,
        *,
        status: OperationStatus,
        attempts: int,
        outcome: Outcome | None,
        where: str,
        deadline: Deadline | None = None,
        only_from: OperationStatus | None = None,
    ) -> bool:
        """The latest status; `deadline` is what the sweeper waits for next (None: nothing).
        With `only_from`, only an operation still in that status changes; False if it was not."""
        values: dict[str, Any] = {
            ":status": status.value,
            ":attempts": attempts,
            ":updated": iso(now()),
            ":where": where,
        }
        expression = (
            "SET #status = :status, attempts = :attempts, updatedAt = :updated, #where = :where"
        )
        if outcome is not None:
            values[":last"] = _pack(outcome.model_dump_json(by_alias=True, exclude_none=True))
            values[":lastCode"] = outcome.code
            expression += ", lastResponseZ = :last, lastCode = :lastCode"
        if deadline is not None:
            values[":watch"], values[":watchUntil"] = _deadline_attributes(deadline).values()
            expression += ", watch = :watch, watchUntil = :watchUntil"
        else:
            expression += " REMOVE watch, watchUntil"
        guard: dict[str, Any] = {}
        if only_from is not None:
            guard["ConditionExpression"] = "#status = :from"
            values[":from"] = only_from.value
        return _update_unless_condition_fails(
            TableName=self._table,
            Key={"operationId": {"S": operation_id}},
            UpdateExpression=expression,
            ExpressionAttributeNames={"#status": "status", "#where": "where"},
            ExpressionAttributeValues=to_item(values),
            **guard,
        )

    def overdue(self, watch: Watch, at: datetime, limit: int) -> list[tuple[str, Deadline]]:
        """Operations whose `watch` deadline passed by `at`, oldest first (the sparse index)."""
        found: list[tuple[str, Deadline]] = []
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by-watch",
            "KeyConditionExpression": "watch = :watch AND watchUntil <= :at",
            "ExpressionAttributeValues": to_item({":watch": watch.value, ":at": iso(at)}),
        }
        while len(found) < limit:
            page = aws.dynamodb().query(**query, Limit=limit - len(found))
            for item in page.get("Items", []):
                values = from_item(item)
                found.append(
                    (
                        values["operationId"],
                        Deadline(watch=watch, until=values["watchUntil"]),
                    )
                )
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found

    def claim_overdue(
        self,
        operation_id: str,
        seen: Deadline,
        *,
        status: OperationStatus | None,
        where: str,
        deadline: Deadline | None,
    ) -> "Claimed | None":
        """Act on an overdue deadline once: only if no run or sweep changed it since it was seen.
        Returns the operation as it was, or None if someone else got there first."""
        values: dict[str, Any] = {
            ":seen": iso(seen.until),
            ":watch": seen.watch.value,
            ":where": where,
            ":updated": iso(now()),
        }
        expression = "SET #where = :where, updatedAt = :updated"
        if status is not None:
            values[":status"] = status.value
            expression += ", #status = :status"
        if deadline is not None:
            values[":next"] = iso(deadline.until)
            expression += ", watchUntil = :next"
        else:
            expression += " REMOVE watch, watchUntil"
        try:
            answer = aws.dynamodb().update_item(
                TableName=self._table,
                Key={"operationId": {"S": operation_id}},
                UpdateExpression=expression,
                ConditionExpression="watch = :watch AND watchUntil = :seen",
                ExpressionAttributeNames={"#where": "where", "#status": "status"}
                if status is not None
                else {"#where": "where"},
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if _is_condition_failure(error):
                return None
            raise
        return Claimed(answer["Attributes"])


@dataclass(frozen=True)
class Claimed:
    """An overdue operation's item as it was when claimed."""

    item: dict[str, Any]

    @cached_property
    def operation(self) -> Operation:
        return operation_from_item(self.item)

    def message(self) -> OperationMessage:
        """The queue message, rebuilt to send the operation again."""
        return message_from_item(self.item)


def message_from_item(item: dict[str, Any]) -> OperationMessage:
    values = from_item(item)
    return OperationMessage.model_validate({**values, "payload": unpack_payload(values)})


def operation_from_item(item: dict[str, Any]) -> Operation:
    values = from_item(item)
    last = values.pop("lastResponseZ", None)
    values["lastResponse"] = json.loads(zlib.decompress(_raw(last))) if last else None
    return Operation.model_validate(values)


def _content(name: str, text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    raw = text.encode()
    if len(raw) > KEEP_AT_MOST_BYTES:
        kept = raw[:KEEP_AT_MOST_BYTES].decode(errors="ignore")
        raw = (kept + TRUNCATED.format(dropped=len(raw) - len(kept.encode()))).encode()
    if len(raw) <= COMPRESS_ABOVE_BYTES:
        return {name: text}
    return {f"{name}Gz": base64.b64encode(zlib.compress(raw, 6)).decode()}


def _read_content(values: dict[str, Any], name: str) -> str | None:
    if name in values:
        return str(values[name])
    packed = values.get(f"{name}Gz")
    return zlib.decompress(base64.b64decode(packed)).decode() if packed else None


class HistoryStore:
    """Every response, append-only; partitioned by merchant and entity, sorted by time."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().history_table

    def append(self, record: HistoryRecord) -> str:
        """Store `record`; returns its reference ("pk|sk") for alerts to point at."""
        created = iso(record.created_at)
        pk = f"{record.merchant_id}#{record.entity_key}"
        sk = f"{created}#{record.operation_id[:8]}#{record.attempt:03d}#{record.step}"
        expires = record.created_at + timedelta(days=get_settings().history_retention_days)
        item: dict[str, Any] = {
            "pk": pk,
            "sk": sk,
            "merchantDay": f"{record.merchant_id}#{created[:10]}",
            "operationId": record.operation_id,
            "operation": record.operation.value,
            "direction": record.direction,
            "merchantId": record.merchant_id,
            "integrationId": record.integration_id,
            "channelId": record.channel_id,
            "identifier": record.identifier,
            "entityKey": record.entity_key,
            "feedId": record.feed_id,
            "attempt": record.attempt,
            "step": record.step,
            "createdAt": created,
            "expiresAt": int(expires.timestamp()),
            **_outcome_attributes(record.outcome),
            **_content("contentSource", record.content_source),
            **_content("contentTranslated", record.content_translated),
            **_content("contentDestination", record.content_destination),
        }
        aws.dynamodb().put_item(TableName=self._table, Item=to_item(item))
        return f"{pk}|{sk}"

    def for_entity(self, merchant_id: str, entity_key: str, limit: int = 50) -> list[HistoryRecord]:
        response = aws.dynamodb().query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"{merchant_id}#{entity_key}"}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [self._record(from_item(item)) for item in response.get("Items", [])]

    @staticmethod
    def _record(values: dict[str, Any]) -> HistoryRecord:
        return HistoryRecord.model_validate(
            {
                **values,
                "outcome": _outcome_from(values),
                "contentSource": _read_content(values, "contentSource"),
                "contentTranslated": _read_content(values, "contentTranslated"),
                "contentDestination": _read_content(values, "contentDestination"),
            }
        )


def alert_fields(alert: Alert) -> dict[str, Any]:
    """The attributes an alert's item holds besides its key and createdAt (None: removed).

    Index keys: merchantId (by updated and created time), merchantCode, merchantLevel, and
    needsAction only while the alert is open, not ignored and waiting for a person."""
    outcome = alert.outcome
    open_ = alert.status is AlertStatus.OPEN
    needs_action = (
        open_
        and not alert.ignored
        and outcome.level is Level.ERROR
        and outcome.retry_class in (RetryClass.NEEDS_ACTION, RetryClass.FINAL)
    )
    return {
        "merchantId": alert.merchant_id,
        "merchantCode": f"{alert.merchant_id}#{outcome.code}",
        "merchantLevel": f"{alert.merchant_id}#{outcome.level.value}",
        "needsAction": alert.merchant_id if needs_action else None,
        "integrationId": alert.integration_id,
        "channelId": alert.channel_id,
        "identifier": alert.identifier,
        "operationId": alert.operation_id,
        "operation": alert.operation.value,
        "status": alert.status.value,
        "ignored": alert.ignored,
        "attempts": alert.attempts,
        "historyRef": alert.history_ref,
        "nextStep": alert.next_step,
        "updatedAt": iso(alert.updated_at),
        "resolvedAt": iso(alert.resolved_at) if alert.resolved_at else None,
        **_outcome_attributes(alert.outcome),
    }


class AlertStore:
    """The latest response per merchant + entity; a success closes the entity's open alert."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().alerts_table

    def upsert(self, alert: Alert, *, unless_changed_since: Alert | bool | None = False) -> bool:
        """Write the entity's alert. With `unless_changed_since` (the alert as read, or None if
        there was none) the write only happens if nothing replaced it meanwhile; False if so."""
        fields = alert_fields(alert)
        present = {k: v for k, v in fields.items() if v is not None}
        absent = [k for k, v in fields.items() if v is None]
        names = {f"#a{i}": name for i, name in enumerate(present)}
        values = {f":v{i}": value for i, value in enumerate(present.values())}
        sets = [f"#a{i} = :v{i}" for i in range(len(present))]
        sets.append("createdAt = if_not_exists(createdAt, :created)")
        values[":created"] = iso(alert.created_at)
        removes = []
        for j, name in enumerate(absent):
            names[f"#r{j}"] = name
            removes.append(f"#r{j}")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        guard: dict[str, Any] = {}
        if unless_changed_since is None:
            guard["ConditionExpression"] = "attribute_not_exists(pk)"
        elif isinstance(unless_changed_since, Alert):
            guard["ConditionExpression"] = "updatedAt = :seenUpdatedAt"
            values[":seenUpdatedAt"] = iso(unless_changed_since.updated_at)
        return _update_unless_condition_fails(
            TableName=self._table,
            Key={"pk": {"S": alert.merchant_id}, "sk": {"S": alert.entity_key}},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
            **guard,
        )

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

        One index answers: needs-action, else by code, else by level, else by updated time;
        the other filters become a filter expression (what they drop is read all the same)."""
        if needs_action:
            index, partition = "needs-action", ("needsAction", merchant_id)
        elif code is not None:
            index, partition = "by-code", ("merchantCode", f"{merchant_id}#{code}")
        elif level is not None:
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
        return AlertPage([_alert(from_item(item)) for item in found], cursor, scanned, index)


@dataclass
class AlertPage:
    alerts: list[Alert]
    cursor: dict[str, Any] | None  # where the next page starts; None after the last
    scanned: int  # items read to answer (DynamoDB's ScannedCount): what the page costs
    index: str


def _alert(values: dict[str, Any]) -> Alert:
    return Alert.model_validate(
        {**values, "entityKey": values["sk"], "outcome": _outcome_from(values)}
    )


class OrderStore:
    """Each order's state as ordersync has seen it on the platform; versioned, so two operations
    on one order cannot overwrite each other's effect."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().orders_table

    @staticmethod
    def _key(merchant_id: str, integration_id: str, order_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"{merchant_id}#{integration_id}#{order_id}"}}

    def get(self, merchant_id: str, integration_id: str, order_id: str) -> OrderState | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self._table,
                Key=self._key(merchant_id, integration_id, order_id),
                ConsistentRead=True,
            )
            .get("Item")
        )
        return OrderState.model_validate_json(item["doc"]["S"]) if item else None

    def put(self, state: OrderState) -> OrderState:
        """Store `state`; raises StaleOrderState if another operation changed the order first."""
        stored = state.model_copy(update={"version": state.version + 1, "updated_at": now()})
        key = self._key(state.merchant_id, state.integration_id, state.order_id)
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item={
                    **key,
                    "doc": {"S": stored.model_dump_json(by_alias=True)},
                    "version": {"N": str(stored.version)},
                },
                ConditionExpression="attribute_not_exists(pk) OR version = :seen",
                ExpressionAttributeValues={":seen": {"N": str(state.version)}},
            )
        except ClientError as error:
            if _is_condition_failure(error):
                raise StaleOrderState(state.order_id) from error
            raise
        return stored


class StaleOrderState(Exception):
    """The order changed between reading and writing its state; the operation runs again."""
