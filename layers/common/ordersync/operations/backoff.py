"""The SQS tier of retries: how long a transiently failed operation waits before its next run,
and when it has been retried enough to be skipped (config.models.RetrySchedule)."""

import random
from datetime import datetime, timedelta

from ordersync.config.models import Integration, RetrySchedule
from ordersync.core.models import OperationType
from ordersync.core.settings import get_settings

# SQS refuses a visibility timeout above 12 hours.
MAX_VISIBILITY_SECONDS = 12 * 3600


def schedule_for(integration: Integration | None) -> RetrySchedule:
    """The integration's own schedule, or the stack's default."""
    if integration is not None and integration.retry is not None:
        return integration.retry
    settings = get_settings()
    return RetrySchedule(
        first_delay_seconds=settings.retry_first_delay_seconds,
        max_delay_seconds=settings.retry_max_delay_seconds,
        create_for_hours=settings.retry_for_hours,
        follow_up_for_hours=settings.follow_up_retry_for_hours,
        at_least_runs=settings.retry_budget,
    )


def backoff_seconds(
    run: int, retry_after: float | None = None, schedule: RetrySchedule | None = None
) -> int:
    """Exponential backoff with full jitter, never sooner than the platform asked."""
    schedule = schedule or schedule_for(None)
    scale = get_settings().retry_time_scale
    ceiling = scale * min(
        schedule.max_delay_seconds, schedule.first_delay_seconds * 2 ** min(run - 1, 30)
    )
    delay = random.uniform(ceiling / 2, ceiling)
    return int(min(MAX_VISIBILITY_SECONDS, max(delay, retry_after or 0)))


def retry_until(
    schedule: RetrySchedule, operation: OperationType, accepted_at: datetime
) -> datetime:
    scale = get_settings().retry_time_scale
    return accepted_at + timedelta(hours=schedule.span_hours(operation) * scale)


def spent(
    schedule: RetrySchedule, operation: OperationType, accepted_at: datetime, run: int, at: datetime
) -> bool:
    """Retried enough: past the span, and at least the fewest runs done."""
    return run >= schedule.at_least_runs and at >= retry_until(schedule, operation, accepted_at)
