"""How long a transiently failed operation waits before its next run (the SQS tier of retries)."""

import random

from ordersync.core.settings import get_settings

# SQS refuses a visibility timeout above 12 hours.
MAX_VISIBILITY_SECONDS = 12 * 3600


def backoff_seconds(receive_count: int, retry_after: float | None = None) -> int:
    """Exponential backoff with full jitter, never sooner than the platform asked."""
    settings = get_settings()
    ceiling = min(
        settings.retry_backoff_max_seconds,
        settings.retry_backoff_base_seconds * 2 ** (receive_count - 1),
    )
    delay = random.uniform(ceiling / 2, ceiling)
    return int(min(MAX_VISIBILITY_SECONDS, max(delay, retry_after or 0)))
