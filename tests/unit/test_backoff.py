from datetime import UTC, datetime, timedelta

import pytest

from ordersync.config.models import Integration, RetrySchedule
from ordersync.core.aws import reset_clients
from ordersync.core.models import OperationType
from ordersync.operations.backoff import (
    MAX_VISIBILITY_SECONDS,
    backoff_seconds,
    retry_until,
    schedule_for,
    spent,
)


@pytest.fixture(autouse=True)
def settings(monkeypatch):
    for name in (
        "ALERTS_TABLE",
        "HISTORY_TABLE",
        "CONFIG_TABLE",
        "ORDERS_TABLE",
        "OPERATIONS_TABLE",
        "RATE_LIMITS_TABLE",
        "SIGNATURES_TABLE",
    ):
        monkeypatch.setenv(name, name.lower())
    monkeypatch.setenv("RETRY_FIRST_DELAY_SECONDS", "60")
    monkeypatch.setenv("RETRY_MAX_DELAY_SECONDS", "3600")
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


def test_the_default_schedule_retries_about_hourly_for_fifteen_days_and_four_for_follow_ups():
    schedule = schedule_for(None)
    late = {backoff_seconds(12, schedule=schedule) for _ in range(50)}
    assert all(1800 <= delay <= 3600 for delay in late)  # about hourly, jittered
    accepted = datetime(2026, 11, 1, tzinfo=UTC)
    assert retry_until(schedule, OperationType.CREATE, accepted) == accepted + timedelta(days=15)
    assert retry_until(schedule, OperationType.REFUND, accepted) == accepted + timedelta(days=4)


@pytest.mark.parametrize(
    ("days_old", "run", "given_up"),
    [(16, 10, True), (16, 9, False), (14, 500, False), (0, 1, False)],
)
def test_an_operation_is_skipped_only_past_its_span_and_after_enough_runs(days_old, run, given_up):
    accepted = datetime(2026, 11, 1, tzinfo=UTC)
    at = accepted + timedelta(days=days_old)
    assert spent(schedule_for(None), OperationType.CREATE, accepted, run, at) is given_up


def test_an_integration_s_own_schedule_wins():
    own = RetrySchedule(first_delay_seconds=5, max_delay_seconds=5, create_for_hours=1)
    integration = Integration(
        integration_id="erp", merchant_id="m", name="ERP", base_url="https://erp.example", retry=own
    )
    assert schedule_for(integration) == own
    assert {backoff_seconds(9, schedule=own) for _ in range(20)} <= {2, 3, 4, 5}
