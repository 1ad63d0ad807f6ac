"""Per-channel rate limits. HTTP APIs have no usage plans, so ordersync keeps its own: a
generic cell rate algorithm (a token bucket held as one number, the theoretical arrival time
of the next request) in one DynamoDB item per channel, advanced by one conditional update per
request. Every API instance shares it, so the limit holds however many are running; each
instance remembers the arrival time it last saw, which tells it which of the two updates (an
idle channel's or a busy one's) to try first.

A request is allowed when the channel's arrival time is at most `burst` intervals ahead of now;
it then moves one interval further. Over the limit the answer says how long to wait.
"""

import math
import time
from dataclasses import dataclass

from ordersync.config.models import Channel
from ordersync.core.dynamo import Update, from_item
from ordersync.core.settings import get_settings, resettable

# An idle channel's item is forgotten (TTL) this long after its last request.
FORGET_AFTER_SECONDS = 3600
# How many channels' last seen arrival times an API instance keeps (about 100 bytes each).
REMEMBERED_CHANNELS = 10_000


@dataclass(frozen=True)
class RateLimited(Exception):
    """The channel sent more than its limit; it may try again after `retry_after` seconds."""

    channel_id: str
    retry_after: float

    def __str__(self) -> str:
        return (
            f"channel {self.channel_id} is over its rate limit; "
            f"retry after {math.ceil(self.retry_after)} s"
        )


def take(channel: Channel, *, now_ms: int | None = None, table: str | None = None) -> None:
    """Count one request of `channel`, or raise RateLimited without counting it."""
    rate, burst = channel.requests_per_second, channel.burst
    if rate <= 0:
        return
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    interval = max(1, round(1000 / rate))
    limit = now_ms + (burst - 1) * interval  # the furthest the arrival time may be ahead
    table = table or get_settings().rate_limits_table
    pk = f"{channel.merchant_id}#{channel.channel_id}"
    key = {"pk": {"S": pk}}
    expires = now_ms // 1000 + FORGET_AFTER_SECONDS
    seen = _last_seen().get(pk)
    # Both updates are conditional, so the order they are tried in changes what a request
    # costs, never what it is allowed. A failed one returns the item it saw, so at most one
    # more is needed unless another instance moves the same channel in between.
    for _ in range(4):
        if seen is None or seen < now_ms:
            update = (
                Update()
                .set("tat", now_ms + interval)
                .when("attribute_not_exists(#tat) OR #tat < :now", now=now_ms)
            )
        else:
            update = (
                Update()
                .add("tat", interval)
                .when("#tat BETWEEN :now AND :limit", now=now_ms, limit=limit)
            )
        applied = update.set("expiresAt", expires).apply(
            table, key, ReturnValues="UPDATED_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD"
        )
        seen = from_item(applied.attributes).get("tat")
        _remember(pk, seen)
        if applied.done:
            return
        if seen is not None and seen > limit:
            raise RateLimited(channel.channel_id, (seen - limit) / 1000)
    raise RateLimited(channel.channel_id, interval / 1000)


@resettable
def _last_seen() -> dict[str, int]:
    """Each channel's arrival time as this instance last saw it. It only ever moves forward,
    so one still ahead of now means the channel is busy and the ADD will do; one behind now,
    or none, says the channel is probably idle (another instance may have moved it since)."""
    return {}


def _remember(pk: str, tat: int | None) -> None:
    seen = _last_seen()
    if len(seen) >= REMEMBERED_CHANNELS and pk not in seen:
        seen.clear()  # an API instance serving more channels than this forgets, then learns again
    if tat is None:
        seen.pop(pk, None)
    else:
        seen[pk] = tat
