"""Through the front door: a channel over its rate limit gets 429 with Retry-After, never a
5xx, and the merchant's other channels go on as before."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from local.seed import DEMO_CREDENTIAL, LIMITED_CREDENTIAL


def test_a_channel_over_its_limit_is_told_to_wait_and_others_are_not(local_stack):
    limited = httpx.Client(
        base_url=local_stack.url,
        headers={"Authorization": f"Bearer {LIMITED_CREDENTIAL}"},
        timeout=30,
    )
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: limited.get("/v1/operations/unknown-id"), range(20)))

    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) == {404, 429}, statuses
    assert statuses.count(404) <= 6  # the burst of 5, and perhaps one refilled meanwhile
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert "rate limit" in refused.json()["message"]

    other = local_stack.channel.get("/v1/operations/unknown-id")
    assert other.status_code == 404
    assert DEMO_CREDENTIAL in local_stack.channel.headers["authorization"]
