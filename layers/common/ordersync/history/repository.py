"""The history table: partitioned by merchant and entity, sorted by time; contents are
compressed together, and what no item could hold is cut with a note of how much was dropped."""

import base64
import zlib
from datetime import timedelta
from typing import Any

from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.compression import pack_json, unpack_json
from ordersync.core.dynamo import from_item, outcome_attributes, outcome_from, to_item
from ordersync.core.settings import get_settings
from ordersync.history.models import HistoryRecord

# What a platform answers is unbounded: past this, only its beginning is kept (three contents of
# at most 64 KB, even uncompressed, fit one item with room to spare).
KEEP_AT_MOST_BYTES = 64_000
TRUNCATED = "\n…[truncated: {dropped} more bytes not kept]"
CONTENTS = ("contentSource", "contentTranslated", "contentDestination")


def _kept(text: str) -> str:
    raw = text.encode()
    if len(raw) <= KEEP_AT_MOST_BYTES:
        return text
    kept = raw[:KEEP_AT_MOST_BYTES].decode(errors="ignore")
    return kept + TRUNCATED.format(dropped=len(raw) - len(kept.encode()))


def _contents(record: HistoryRecord) -> dict[str, Any]:
    """The contents as one compressed attribute. A write is billed per started KB: a create's
    records held 1.5-1.9 KB with their contents as text or compressed one by one (2 write units
    each); the source and its translation share most of their text, so compressed together they
    fit under 1 KB. Texts that compression would not shrink stay as they are."""
    values = (record.content_source, record.content_translated, record.content_destination)
    texts = {name: _kept(text) for name, text in zip(CONTENTS, values, strict=True) if text}
    packed = pack_json(texts)
    if not texts or len(packed) >= sum(len(text.encode()) for text in texts.values()):
        return texts
    return {"contentsZ": packed}


def _read_contents(values: dict[str, Any]) -> dict[str, str | None]:
    packed = unpack_json(values["contentsZ"]) if "contentsZ" in values else {}
    return {name: packed.get(name) or _read_content(values, name) for name in CONTENTS}


def _read_content(values: dict[str, Any], name: str) -> str | None:
    if name in values:
        return str(values[name])
    # Written before contents were compressed together: base64 text, above 4 KB only.
    legacy = values.get(f"{name}Gz")
    return zlib.decompress(base64.b64decode(legacy)).decode() if legacy else None


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
            # The by-feed index's partition: a feed id is only ever looked up within a merchant.
            "merchantFeed": f"{record.merchant_id}#{record.feed_id}" if record.feed_id else None,
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
            "actor": record.actor,
            "createdAt": created,
            "expiresAt": int(expires.timestamp()),
            **outcome_attributes(record.outcome),
            **_contents(record),
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
        return [self.record_from(from_item(item)) for item in response.get("Items", [])]

    @staticmethod
    def record_from(values: dict[str, Any]) -> HistoryRecord:
        return HistoryRecord.model_validate(
            {
                **values,
                "outcome": outcome_from(values),
                **_read_contents(values),
            }
        )
