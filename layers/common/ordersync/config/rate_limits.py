"""Per-channel rate limits. HTTP APIs have no usage plans, so ordersync keeps its own: a
generic cell rate algorithm (a token bucket held as one number, the theoretical arrival time
of the next request) in one DynamoDB item per channel, advanced by one conditional update per
request (two when the channel was idle). Every API instance shares it, so the limit holds
however many are running.

A request is allowed when the channel's arrival time is at most `burst` intervals ahead of now;
it then moves one interval further. Over the limit the answer says how long to wait.
"""

import math
import time
from dataclasses import dataclass

from ordersync.config.models import Channel
from ordersync.core.dynamo import Update, from_item
from ordersync.core.settings import get_settings

# An idle channel's item is forgotten (TTL) this long after its last request.
FORGET_AFTER_SECONDS = 3600


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
    key = {"pk": {"S": f"{channel.merchant_id}#{channel.channel_id}"}}
    expires = now_ms // 1000 + FORGET_AFTER_SECONDS
    for _ in range(3):  # an idle channel races its own first requests at most once or twice
        busy = (
            Update()
            .add("tat", interval)
            .set("expiresAt", expires)
            .when("#tat BETWEEN :now AND :limit", now=now_ms, limit=limit)
            .apply(table, key, ReturnValuesOnConditionCheckFailure="ALL_OLD")
        )
        if busy.done:
            return
        seen = from_item(busy.attributes).get("tat")
        if seen is not None and seen > limit:
            raise RateLimited(channel.channel_id, (seen - limit) / 1000)
        idle = (
            Update()
            .set("tat", now_ms + interval)
            .set("expiresAt", expires)
            .when("attribute_not_exists(#tat) OR #tat < :now", now=now_ms)
            .apply(table, key)
        )
        if idle.done:
            return
    raise RateLimited(channel.channel_id, interval / 1000)
