"""Per-channel rate limits on moto: a channel over its limit gets 429 with Retry-After, never a
5xx, and another channel is not slowed by it."""

import json
import threading

import pytest

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.config import rate_limits
from ordersync.config.models import Channel
from ordersync.config.rate_limits import RateLimited
from ordersync.core.aws import reset_clients
from tests.factories import load_event

T0 = 1_800_000_000_000  # ms


def channel(channel_id="shop", rate=2.0, burst=3):
    return Channel(
        channel_id=channel_id,
        merchant_id="m1",
        integration_id="erp",
        name=channel_id,
        requests_per_second=rate,
        burst=burst,
    )


def test_a_burst_passes_then_the_next_request_waits_one_interval(stack):
    for _ in range(3):
        rate_limits.take(channel(), now_ms=T0)

    with pytest.raises(RateLimited) as refused:
        rate_limits.take(channel(), now_ms=T0)

    assert refused.value.retry_after == pytest.approx(0.5)
    rate_limits.take(channel(), now_ms=T0 + 500)  # one interval later, one more fits


def test_the_average_rate_holds_over_time(stack):
    allowed = 0
    for tick in range(0, 10_000, 100):  # ten seconds, a request every 100 ms
        try:
            rate_limits.take(channel(), now_ms=T0 + tick)
            allowed += 1
        except RateLimited:
            pass
    assert allowed == 3 + 10_000 // 500 - 1  # the burst, then one per interval


def test_an_idle_channel_and_a_busy_one_each_pay_one_write(stack, writes_to):
    writes = writes_to("RateLimits")

    rate_limits.take(channel(), now_ms=T0)  # never seen: idle
    rate_limits.take(channel(), now_ms=T0 + 100)  # within its interval: busy
    rate_limits.take(channel(), now_ms=T0 + 5_000)  # idle again

    assert writes == ["UpdateItem"] * 3


def test_an_instance_that_remembers_nothing_still_refuses_over_the_limit(stack, writes_to):
    for _ in range(3):
        rate_limits.take(channel(), now_ms=T0)
    reset_clients()  # a fresh API instance: it guesses the channel idle
    writes = writes_to("RateLimits")

    with pytest.raises(RateLimited) as refused:
        rate_limits.take(channel(), now_ms=T0)

    assert refused.value.retry_after == pytest.approx(0.5)
    assert writes == ["UpdateItem"], "the failed update returned the item: no second one"
    rate_limits.take(channel(), now_ms=T0 + 500)


def test_a_channel_forgotten_by_the_table_starts_again_from_its_burst(stack):
    rate_limits.take(channel(), now_ms=T0)  # this instance now thinks the channel busy
    table = stack.resources["RateLimitsTable"]
    stack.dynamodb.delete_item(TableName=table, Key={"pk": {"S": "m1#shop"}})  # its TTL

    for _ in range(3):  # the busy update finds no item, the idle one creates it
        rate_limits.take(channel(), now_ms=T0 + 100)
    with pytest.raises(RateLimited):
        rate_limits.take(channel(), now_ms=T0 + 100)


def test_another_channel_is_not_slowed(stack):
    for _ in range(3):
        rate_limits.take(channel(), now_ms=T0)
    with pytest.raises(RateLimited):
        rate_limits.take(channel(), now_ms=T0)

    rate_limits.take(channel("marketplace"), now_ms=T0)


def test_concurrent_requests_never_pass_more_than_the_burst(stack):
    passed, refused = [], []

    def call():
        try:
            rate_limits.take(channel(rate=0.001, burst=5), now_ms=T0)
            passed.append(1)
        except RateLimited:
            refused.append(1)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(passed), len(refused)) == (5, 15)


def test_a_limited_channel_gets_429_with_retry_after_through_the_api(stack):
    api = load_handler(LocalTemplate.load().functions["ApiFunction"])
    event = load_event("api/get_operation.json")
    event["requestContext"]["authorizer"]["lambda"] |= {"requestsPerSecond": 0.5, "burst": 1}

    statuses = [api(event, LambdaContext("api", 10))["statusCode"] for _ in range(2)]
    answer = api(event, LambdaContext("api", 10))

    assert statuses == [404, 429]  # the first is counted and finds no operation
    assert answer["statusCode"] == 429
    assert answer["headers"]["Retry-After"] == "2"
    assert "rate limit" in json.loads(answer["body"])["message"]
