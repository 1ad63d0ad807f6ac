import pytest

from ordersync.core.aws import reset_clients
from ordersync.operations.backoff import MAX_VISIBILITY_SECONDS, backoff_seconds


@pytest.fixture(autouse=True)
def settings(monkeypatch):
    for name in (
        "ALERTS_TABLE",
        "HISTORY_TABLE",
        "CONFIG_TABLE",
        "ORDERS_TABLE",
        "OPERATIONS_TABLE",
        "SIGNATURES_TABLE",
    ):
        monkeypatch.setenv(name, name.lower())
    monkeypatch.setenv("RETRY_BACKOFF_BASE_SECONDS", "60")
    monkeypatch.setenv("RETRY_BACKOFF_MAX_SECONDS", "3600")
    reset_clients()
    yield
    reset_clients()


def test_backoff_grows_with_each_run_within_full_jitter_bounds():
    for receive_count, ceiling in [(1, 60), (2, 120), (3, 240), (6, 1920)]:
        delays = {backoff_seconds(receive_count) for _ in range(50)}
        assert all(ceiling / 2 - 1 <= delay <= ceiling for delay in delays), (receive_count, delays)


def test_backoff_is_capped():
    assert max(backoff_seconds(30) for _ in range(50)) <= 3600


def test_the_platform_s_retry_after_wins_when_longer():
    assert backoff_seconds(1, retry_after=900) == 900
    assert backoff_seconds(1, retry_after=10**9) == MAX_VISIBILITY_SECONDS
