"""Each integration's limit of runs in flight (`maxInFlight`), held across every dispatcher
instance: a counting semaphore in one DynamoDB item per integration (in the rate-limits table),
where each holder is an attribute holding its lease's expiry. A place is taken with a
conditional write on the item's version, so two dispatchers cannot both take the last one; a
holder that died frees its place when its lease expires, and the next taker removes it."""

import hashlib
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.clock import iso, now
from ordersync.core.dynamo import Update, from_item
from ordersync.core.settings import get_settings

HOLDER_PREFIX = "h_"
# Dispatchers that lost a race for the item read it again, at most this many times each.
CONTENDED_TRIES = 4
# An integration's item is forgotten (the table's TTL) this long after a place was last taken.
IDLE_FOR = timedelta(days=1)


def _key(merchant_id: str, integration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"inflight#{merchant_id}#{integration_id}"}}


def _attribute(holder: str) -> str:
    return HOLDER_PREFIX + hashlib.sha256(holder.encode()).hexdigest()[:16]


def acquire(
    merchant_id: str, integration_id: str, holder: str, *, limit: int, seconds: float
) -> bool:
    """Take one of the integration's `limit` places for `seconds` (the run's lease); False if
    all are held (the caller waits and tries again later, spending nothing)."""
    table = get_settings().rate_limits_table
    key = _key(merchant_id, integration_id)
    mine = _attribute(holder)
    for _ in range(CONTENDED_TRIES):
        moment = iso(now())
        item = from_item(
            aws.dynamodb().get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", {})
        )
        holders = {name: until for name, until in item.items() if name.startswith(HOLDER_PREFIX)}
        expired = [name for name, until in holders.items() if until <= moment and name != mine]
        if len(holders) - len(expired) >= limit and mine not in holders:
            return False
        moment_then = now()
        update = (
            Update()
            .set(mine, iso(moment_then + timedelta(seconds=seconds)))
            .set("expiresAt", int((moment_then + IDLE_FOR).timestamp()))
            .add("version", 1)
        )
        if expired:
            update.remove(*expired)
        version = item.get("version")
        if version is None:
            update.when("attribute_not_exists(version)")
        else:
            update.when("#version = :seen", seen=version)
        if update.apply(table, key).done:
            return True
    return False


def release(merchant_id: str, integration_id: str, holder: str) -> None:
    """Give the place back (no condition: only this holder's own attribute goes). Tried twice:
    a place not given back is lost to the whole integration until its lease expires."""
    update = Update().remove(_attribute(holder))
    table, key = get_settings().rate_limits_table, _key(merchant_id, integration_id)
    try:
        update.apply(table, key)
    except ClientError:
        update.apply(table, key)


def holding(merchant_id: str, integration_id: str) -> int:
    """How many places are held now (for tests and operators)."""
    item = from_item(
        aws.dynamodb()
        .get_item(
            TableName=get_settings().rate_limits_table,
            Key=_key(merchant_id, integration_id),
            ConsistentRead=True,
        )
        .get("Item", {})
    )
    moment = iso(now())
    return sum(
        1 for name, until in item.items() if name.startswith(HOLDER_PREFIX) and until > moment
    )
