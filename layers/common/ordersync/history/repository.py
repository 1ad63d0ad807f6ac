"""The history table: partitioned by merchant and entity, sorted by time; large contents are
compressed, and what no item could hold is cut with a note of how much was dropped."""

import base64
import zlib
from datetime import timedelta
from typing import Any

from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.dynamo import from_item, outcome_attributes, outcome_from, to_item
from ordersync.core.settings import get_settings
from ordersync.history.models import HistoryRecord

# Content above this size is stored compressed so a record stays far below DynamoDB's 400 KB.
COMPRESS_ABOVE_BYTES = 4096
# What a platform answers is unbounded: past this, only its beginning is kept (three contents of
# at most ~86 KB once compressed and base64-encoded fit one item with room to spare).
KEEP_AT_MOST_BYTES = 64_000
TRUNCATED = "\n…[truncated: {dropped} more bytes not kept]"


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
        return [self.record_from(from_item(item)) for item in response.get("Items", [])]

    @staticmethod
    def record_from(values: dict[str, Any]) -> HistoryRecord:
        return HistoryRecord.model_validate(
            {
                **values,
                "outcome": outcome_from(values),
                "contentSource": _read_content(values, "contentSource"),
                "contentTranslated": _read_content(values, "contentTranslated"),
                "contentDestination": _read_content(values, "contentDestination"),
            }
        )
