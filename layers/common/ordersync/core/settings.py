from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a function reads from its environment, validated once per cold start."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    stage: str = "dev"
    alerts_table: str
    history_table: str
    config_table: str
    operations_table: str
    orders_table: str
    signatures_table: str
    operations_queue_url: str = ""
    dead_letter_queue_url: str = ""
    state_machine_arn: str = ""
    sender_email: str = "alerts@example.com"

    # AWS_ENDPOINT_URL is honoured by boto3 itself; we only need it to turn off host prefixes
    # (StartSyncExecution's "sync-" prefix cannot be put in front of 127.0.0.1).
    aws_endpoint_url: str | None = None

    retry_budget: int = Field(default=10, ge=1, le=100)
    retry_backoff_base_seconds: float = Field(default=60.0, ge=0)
    retry_backoff_max_seconds: float = Field(default=6 * 3600.0, ge=0)
    # The sweeper's deadlines: an operation not run this long after it was accepted is flagged
    # `queued`; a platform that has not confirmed an accepted operation this long raises an alert;
    # a retrying operation not run again this long after its backoff is sent again.
    queued_alert_minutes: float = Field(default=15.0, ge=0)
    verification_timeout_minutes: float = Field(default=30.0, ge=0)
    stuck_grace_seconds: float = Field(default=15 * 60.0, ge=0)
    sweep_batch: int = Field(default=500, ge=1)
    history_retention_days: int = Field(default=90, ge=1)
    credential_cache_seconds: float = Field(default=60.0, ge=0)


_resettable: list[Any] = []


def resettable[T](factory: Callable[[], T]) -> Callable[[], T]:
    """Cache what `factory` makes (a client, the settings) until `reset_all()`."""
    cached = cache(factory)
    _resettable.append(cached)
    return cached


def reset_all() -> None:
    for factory in _resettable:
        factory.cache_clear()


@resettable
def get_settings() -> Settings:
    """Validated once per cold start, on first use (importing a handler reads nothing)."""
    return Settings()
