"""One order's whole story (`GET /v1/orders/{orderId}/history`): every record of its entity,
oldest first, with what was sent and received, read from the table's own partition
(`merchant#entity`, sorted by time), never an index.

An order id names one order per channel (two channels of a merchant may use the same id), so it
can stand for several entities; their records are merged oldest first, each naming its channel
and integration. The cursor holds where each entity's Query goes on, bound to the merchant and
to the entities the order id stood for, and each of its keys must lie in that entity's
partition under the token's merchant."""

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ordersync.core.dynamo import to_item
from ordersync.core.settings import get_settings
from ordersync.history.models import HistoryRecord
from ordersync.history.paging import Plan, decode_cursor, encode_cursor, refused, run
from ordersync.history.query import InvalidQuery, digits_only, validated
from ordersync.history.repository import HistoryStore

STORY_LIMIT = 200  # records a call, at most (a creation retried hourly for 15 days has ~360)


class StoryQuery(BaseModel):
    """What narrows one order's story: the channel and integration whose order it is (an order
    id two channels share is both their stories without them), a page size and a cursor."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    channel: str | None = Field(default=None, min_length=1, max_length=200)
    integration: str | None = Field(default=None, min_length=1, max_length=200)
    limit: int = Field(default=100, ge=1, le=STORY_LIMIT)
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)

    _digits = field_validator("limit", mode="before")(digits_only)

    @classmethod
    def parse(cls, params: Mapping[str, Any] | None) -> Self:
        query, problems = validated(cls, dict(params or {}))
        if query is None:
            raise InvalidQuery(problems)
        return query


class UnknownOrder(LookupError):
    """No record of this order in the caller's merchant (a 404), whoever else has one."""


def _plan(merchant_id: str, entity_key: str) -> Plan:
    return Plan(None, ("pk", f"{merchant_id}#{entity_key}"), "sk", forward=True, reason="story")


def story(
    merchant_id: str,
    entity_keys: list[str],
    *,
    limit: int = STORY_LIMIT,
    cursor: str | None = None,
    table: str | None = None,
) -> tuple[list[HistoryRecord], str | None]:
    """The records of `entity_keys` (the models' keys, `OperationIdentity.entity_key`; their
    format is not assumed) under `merchant_id`, oldest first, `limit` a call. UnknownOrder when
    a first page finds none."""
    table = table or get_settings().history_table
    wanted = sorted(set(entity_keys))
    fingerprint = {"story": wanted}
    starts: dict[str, Any] = {key: None for key in wanted}
    if cursor:
        found = decode_cursor(merchant_id, fingerprint, cursor).get("k")
        if not isinstance(found, dict) or not set(found) <= set(wanted):
            raise refused("this cursor does not belong to this story")
        starts = found
    heads: list[tuple[str, str, dict[str, Any]]] = []
    exhausted: dict[str, bool] = {}
    for key, start in starts.items():
        plan = _plan(merchant_id, key)
        if start is not None and not (
            isinstance(start, dict) and plan.check_start(start, lambda pk: True)
        ):
            raise refused("this cursor does not belong to this story")
        page = run(plan, table, limit=limit, start=start)
        heads += [(values["sk"], key, values) for values in page.items]
        exhausted[key] = page.next_start is None
    heads.sort(key=lambda head: (head[0], head[1]))
    taken, left = heads[:limit], heads[limit:]
    if not taken and not cursor:
        raise UnknownOrder(entity_keys)
    following: dict[str, Any] = {}
    for key, start in starts.items():
        mine = [sk for sk, owner, _ in taken if owner == key]
        if exhausted[key] and not any(owner == key for _, owner, _ in left):
            continue  # every record of this entity was given
        following[key] = to_item({"pk": f"{merchant_id}#{key}", "sk": mine[-1]}) if mine else start
    records = [HistoryStore.record_from(values) for _, _, values in taken]
    return records, encode_cursor(merchant_id, fingerprint, {"k": following}) if following else None


def first_records(
    merchant_id: str, entity_key: str, limit: int = STORY_LIMIT
) -> list[HistoryRecord]:
    """The first `limit` records of one entity, oldest first; none yet is an empty list (an
    alert's page shows what there is, where the story route answers 404)."""
    try:
        return story(merchant_id, [entity_key], limit=limit)[0]
    except UnknownOrder:
        return []


def story_row(record: HistoryRecord) -> dict[str, Any]:
    """A record as the story shows it: named as the list rows name things, with its contents
    (and whatever a record carries besides, such as who took an action)."""
    values = record.model_dump(
        mode="json", by_alias=True, exclude={"merchant_id", "entity_key", "outcome"}
    )
    outcome = record.outcome.model_dump(mode="json", by_alias=True)
    renamed = {
        "operationId": "ordersyncId",
        "integrationId": "integration",
        "channelId": "channel",
        "identifier": "orderId",
        "businessMessage": "message",
    }
    return {renamed.get(name, name): value for name, value in {**values, **outcome}.items()}
