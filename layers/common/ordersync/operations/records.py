"""The operations table: one item per accepted operation, keyed by its operation id. Every
change of an operation's status goes through `OperationStore.transition`."""

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.clock import iso, now
from ordersync.core.compression import pack_json, pack_text, unpack_json
from ordersync.core.dynamo import Applied, Update, from_item, is_condition_failure, to_item
from ordersync.core.models import OperationIdentity, OperationMessage, OperationType, Outcome
from ordersync.core.settings import get_settings
from ordersync.operations.models import Deadline, Operation, OperationStatus, Watch

# Statuses a run must never start from: the platform has the operation, or a person closed it.
FINISHED = frozenset(
    {
        OperationStatus.SYNCED,
        OperationStatus.PENDING_VERIFICATION,
        OperationStatus.MANUALLY_SYNCED,
        OperationStatus.IGNORED,
    }
)


def _digest(payload: dict[str, Any]) -> bytes:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).digest()


def payload_hash(payload: dict[str, Any]) -> str:
    """128 bits of the body's SHA-256, base64url (22 characters): plenty to tell two bodies sent
    under one operation id apart. The whole digest in hex (64) took a settled operation's item
    just past 1 KB, and each of its last two writes cost 2 units instead of 1."""
    return base64.urlsafe_b64encode(_digest(payload)[:16]).decode().rstrip("=")


def same_payload(stored: str | None, payload: dict[str, Any]) -> bool:
    """Whether `stored` (an item's payloadHash) is the hash of `payload`; operations accepted
    before the hash was shortened hold the whole digest in hex."""
    return stored is not None and stored in (payload_hash(payload), _digest(payload).hex())


def deadline_attributes(deadline: Deadline | None) -> dict[str, str | None]:
    """The sparse by-watch index's key; None removes the operation from the index."""
    if deadline is None:
        return {"watch": None, "watchUntil": None}
    return {"watch": deadline.watch.value, "watchUntil": iso(deadline.until)}


def expires_at(moment: datetime) -> int:
    """When DynamoDB's TTL may delete the item: the history's retention after its last change."""
    return int((moment + timedelta(days=get_settings().history_retention_days)).timestamp())


def queued_deadline(moment_accepted: datetime) -> Deadline:
    return Deadline(
        watch=Watch.QUEUED,
        until=moment_accepted + timedelta(minutes=get_settings().queued_alert_minutes),
    )


def order_day(merchant_id: str, moment: datetime) -> str:
    """The sparse orders-by-day index's partition: the orders (create operations) a merchant's
    channels sent on one UTC day. A day bucket, as history's by-merchant-day has, keeps a busy
    merchant's orders from one hot partition; the daily report reads two of them."""
    return f"{merchant_id}#{moment.astimezone(UTC).date().isoformat()}"


def operation_key(operation_id: str) -> dict[str, Any]:
    return {"operationId": {"S": operation_id}}


def blocker_key(subject: OperationIdentity) -> str:
    """The order a blocked operation waits for, as the by-blocker index holds it (the orders
    table's key for the same order)."""
    return f"{subject.merchant_id}#{subject.integration_id}#{subject.channel_id}#{subject.order_id}"


class OperationStore:
    """Keyed reads and writes of accepted operations; never a Scan."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().operations_table

    @property
    def table(self) -> str:
        return self._table

    def create(self, message: OperationMessage) -> bool:
        """Record a newly accepted operation; False if it was already recorded."""
        moment = now()
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
            "orderDay": order_day(message.merchant_id, message.accepted_at)
            if message.operation is OperationType.CREATE
            else None,
            "updatedAt": iso(moment),
            "expiresAt": expires_at(moment),
            "payloadHash": payload_hash(message.payload),
            "payloadZ": pack_json(message.payload),
            "reference": message.reference,
            "where": "accepted; waiting in the operations queue",
            **deadline_attributes(queued_deadline(message.accepted_at)),
        }
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item=to_item({k: v for k, v in item.items() if v is not None}),
                ConditionExpression="attribute_not_exists(operationId)",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def transition(
        self,
        operation_id: str,
        *,
        where: str,
        status: OperationStatus | None = None,
        update: Update | None = None,
        **options: Any,
    ) -> Applied:
        """The one writer of an operation's status (None: the status stays) and its `where`,
        with whatever else `update` sets and whatever condition it carries."""
        moment = now()
        change = (update or Update()).set("where", where).set("updatedAt", iso(moment))
        change.set("expiresAt", expires_at(moment))
        if status is not None:
            change.set("status", status.value)
        return change.apply(self._table, operation_key(operation_id), **options)

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
        restart_runs: bool = False,
        blocked_by: str | None = None,
        skipped_at: datetime | None = None,
        end_run: bool = False,
        holder: str | None = None,
    ) -> bool:
        """The latest status; `deadline` is what the sweeper waits for next (None: nothing).
        With `only_from`, only an operation still in that status changes; False if it was not.
        `restart_runs`: count runs from zero again (a skipped operation redriven from the
        dead-letter queue gets its fewest runs again). `blocked_by`: the order key it waits for
        (the sparse by-blocker index); any other status takes it out of that index.
        `skipped_at`: when it was skipped (its dead-letter copy carries the same moment).
        `end_run`: the run that holds the lease recorded how it ended, so the lease goes in this
        write (a write of its own was one more write unit on every run). No other run can hold
        it meanwhile: a lease outlives the workflow's TimeoutSeconds (test_time_budgets).
        `holder`: that run's holder; the write happens only if it still holds the lease or was
        the last to record (`lastHolder`: the task's own retry after this write), so a twin
        execution, or one that never took the lease, changes nothing."""
        update = Update().set("attempts", attempts).set_all(deadline_attributes(deadline))
        if end_run:
            update.remove("leaseHolder", "leaseUntil")
        if holder is not None:
            update.set("lastHolder", holder)
            update.when("#leaseHolder = :holder OR #lastHolder = :holder", holder=holder)
        update.set("blockedBy", blocked_by)
        if skipped_at is not None:
            update.set("skippedAt", iso(skipped_at))
        if restart_runs:
            update.set("runs", 0)
        if outcome is not None:
            update.set(
                "lastResponseZ",
                pack_text(outcome.model_dump_json(by_alias=True, exclude_none=True)),
            )
            update.set("lastCode", outcome.code)
        if only_from is not None:
            update.when("#status = :from", from_=only_from.value)
        return self.transition(operation_id, where=where, status=status, update=update).done

    def resend(self, message: OperationMessage, waiting_code: str) -> bool:
        """Replace the body of an operation that waits for a person (its last answer was
        `waiting_code`) and make it pending again; False if it is not waiting any more."""
        update = (
            Update()
            .set("payloadZ", pack_json(message.payload))
            .set("payloadHash", payload_hash(message.payload))
            .set("runs", 0)  # a corrected operation gets its whole retry schedule again
            .set_all(deadline_attributes(queued_deadline(now())))
            .remove("ignoredFrom")
            .when(
                "#status IN (:failed, :skipped, :ignored) AND #lastCode = :code",
                failed=OperationStatus.FAILED.value,
                skipped=OperationStatus.SKIPPED.value,
                ignored=OperationStatus.IGNORED.value,
                code=waiting_code,
            )
        )
        return self.transition(
            message.operation_id,
            where="resent with a corrected body; waiting in the operations queue",
            status=OperationStatus.PENDING,
            update=update,
        ).done

    def payload_hash_of(self, operation_id: str) -> str | None:
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self._table,
                Key=operation_key(operation_id),
                ProjectionExpression="payloadHash",
                # A concurrent copy reads what the copy that won the conditional put wrote.
                ConsistentRead=True,
            )
            .get("Item")
        )
        return item["payloadHash"]["S"] if item else None

    def run_holders(self, operation_id: str) -> dict[str, Any]:
        """The run count, and who holds the run lease or recorded last, read strongly."""
        names = {"#runs": "runs", "#leaseHolder": "leaseHolder", "#lastHolder": "lastHolder"}
        item = (
            aws.dynamodb()
            .get_item(
                TableName=self._table,
                Key=operation_key(operation_id),
                ProjectionExpression=", ".join(names),
                ExpressionAttributeNames=names,
                ConsistentRead=True,
            )
            .get("Item", {})
        )
        return from_item(item)

    def _item(self, operation_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (
            aws.dynamodb()
            .get_item(TableName=self._table, Key=operation_key(operation_id))
            .get("Item")
        )
        return item

    def get(self, operation_id: str) -> Operation | None:
        item = self._item(operation_id)
        return operation_from_item(item) if item else None

    def message(self, operation_id: str) -> OperationMessage | None:
        """The operation as it was queued: its body too."""
        item = self._item(operation_id)
        return message_from_item(item) if item else None


def message_from_item(item: dict[str, Any]) -> OperationMessage:
    values = from_item(item)
    return OperationMessage.model_validate({**values, "payload": unpack_json(values["payloadZ"])})


def operation_from_item(item: dict[str, Any]) -> Operation:
    values = from_item(item)
    last = values.pop("lastResponseZ", None)
    values["lastResponse"] = unpack_json(last) if last else None
    return Operation.model_validate(values)
