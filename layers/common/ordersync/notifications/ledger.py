"""The notifications table: what was sent to whom in which window, digests that are due, and
the links' tokens (stored by hash only). Every item expires (TTL on `expiresAt`)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.dynamo import Update, from_item, is_condition_failure, key, to_item
from ordersync.notifications.models import Frequency, Recipient
from ordersync.notifications.settings import notification_settings

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW_KEPT = timedelta(days=2)  # a claim outlives its window a little, then TTL removes it
# What an email is about: each topic has its own bound (one immediate email and one digest per
# recipient and window), so an unsynced order never uses up the window of an alert to act on.
ALERTS = ""
UNSYNCED = "UNSYNCED#"


def window_minutes(frequency: Frequency) -> float:
    if frequency is Frequency.DAILY:
        return 1440.0
    if frequency is Frequency.HOURLY:
        return 60.0
    return notification_settings().notify_window_minutes


def window_of(moment: datetime, minutes: float) -> tuple[datetime, datetime]:
    """The fixed window (aligned on the epoch, so every function agrees) holding `moment`."""
    size = timedelta(minutes=minutes)
    start = EPOCH + size * ((moment - EPOCH) // size)
    return start, start + size


def boundaries(since: datetime, until: datetime) -> list[datetime]:
    """Every window end of any frequency in (since, until], oldest first: the digest
    partitions a run reads."""
    found: set[datetime] = set()
    for frequency in (Frequency.IMMEDIATE, Frequency.HOURLY, Frequency.DAILY):
        size = timedelta(minutes=window_minutes(frequency))
        end = window_of(since, window_minutes(frequency))[1]
        while end <= until:
            found.add(end)
            end += size
    return sorted(found)


def _put_new(table: str, item: dict[str, Any]) -> bool:
    """A conditional put: True for the one writer that created the item."""
    try:
        aws.dynamodb().put_item(
            TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )
    except ClientError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


class Ledger:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or notification_settings().notifications_table

    def claim_immediate(
        self, merchant_id: str, recipient: Recipient, moment: datetime, topic: str = ALERTS
    ) -> bool:
        """The recipient's one immediate email of this window: True only for the first."""
        start, end = window_of(moment, window_minutes(recipient.frequency))
        item = key(f"SENT#{merchant_id}#{recipient.key}", f"IMMEDIATE#{topic}{iso(start)}")
        expires = {"expiresAt": int((end + WINDOW_KEPT).timestamp())}
        return _put_new(self._table, {**item, **to_item(expires)})

    def digest_due(
        self, merchant_id: str, recipient: Recipient, moment: datetime, topic: str = ALERTS
    ) -> datetime:
        """Mark that the recipient's digest is due at the end of this window (once)."""
        end = window_of(moment, window_minutes(recipient.frequency))[1]
        values = {
            "merchantId": merchant_id,
            "recipient": recipient.model_dump(by_alias=True, mode="json"),
            "expiresAt": int((end + WINDOW_KEPT).timestamp()),
        }
        _put_new(
            self._table,
            {
                **key(f"DIGEST#{topic}{iso(end)}", f"{merchant_id}#{recipient.key}"),
                **to_item(values),
            },
        )
        return end

    def digests(
        self, due: datetime, topic: str = ALERTS
    ) -> list[tuple[str, Recipient, dict[str, Any]]]:
        """The digests due at `due`: (merchant, recipient, the item's key)."""
        pages = (
            aws.dynamodb()
            .get_paginator("query")
            .paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"DIGEST#{topic}{iso(due)}"}},
            )
        )
        found = []
        for page in pages:
            for item in page.get("Items", []):
                values = from_item(item)
                recipient = Recipient.model_validate(values["recipient"])
                found.append((values["merchantId"], recipient, {k: item[k] for k in ("pk", "sk")}))
        return found

    def digest_sent(self, item_key: dict[str, Any]) -> None:
        aws.dynamodb().delete_item(TableName=self._table, Key=item_key)

    # ---------------------------------------------------------------- tokens
    def put_token(self, digest: str, values: dict[str, Any]) -> None:
        if not _put_new(self._table, {**key(f"TOKEN#{digest}", "TOKEN"), **to_item(values)}):
            raise RuntimeError("token collision")  # 256 random bits: never, short of a bug

    def token(self, digest: str) -> dict[str, Any] | None:
        item = aws.dynamodb().get_item(
            TableName=self._table, Key=key(f"TOKEN#{digest}", "TOKEN"), ConsistentRead=True
        )
        return from_item(item["Item"]) if "Item" in item else None

    def use_token(self, digest: str, used_for: str, moment: datetime) -> bool:
        """Spend a token on one action: True for the one request that did."""
        update = Update().set_all({"usedAt": iso(moment), "usedFor": used_for})
        update.when("attribute_exists(#pk) AND attribute_not_exists(#usedAt)")
        return update.apply(self._table, key(f"TOKEN#{digest}", "TOKEN")).done

    def unuse_token(self, digest: str) -> None:
        update = Update().remove("usedAt", "usedFor").when("attribute_exists(#pk)")
        update.apply(self._table, key(f"TOKEN#{digest}", "TOKEN"))
