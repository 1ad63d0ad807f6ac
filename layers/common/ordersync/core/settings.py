import os
from collections.abc import Callable
from functools import cache
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EnvironmentSettings(BaseModel):
    """A settings model read from the process environment (names in any case; keyword arguments
    win). pydantic-settings did this, but importing it cost about 55 ms CPU of every cold start
    (its CLI, dotenv and secrets-directory sources) for the one source ordersync reads: every
    field here is a scalar, which pydantic's lax mode parses from text as pydantic-settings did."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        return {**{name.lower(): value for name, value in os.environ.items()}, **given}

    @classmethod
    def from_environment(cls) -> Self:
        """The settings as the environment gives them (every required one from there)."""
        return cls.model_validate({})


class Settings(EnvironmentSettings):
    """Everything a function reads from its environment, validated once per cold start."""

    stage: str = "dev"
    alerts_table: str
    history_table: str
    config_table: str
    operations_table: str
    orders_table: str
    rate_limits_table: str = ""
    signatures_table: str
    operations_queue_url: str = ""
    dead_letter_queue_url: str = ""
    state_machine_arn: str = ""
    sender_email: str = "alerts@example.com"

    # AWS_ENDPOINT_URL is honoured by boto3 itself; we only need it to turn off host prefixes
    # (StartSyncExecution's "sync-" prefix cannot be put in front of 127.0.0.1).
    aws_endpoint_url: str | None = None

    # The stack's default retry schedule (config.models.RetrySchedule); an integration may
    # have its own. RETRY_BUDGET: the fewest workflow runs before an operation is skipped.
    retry_budget: int = Field(default=10, ge=1, le=1000)
    retry_first_delay_seconds: float = Field(default=60.0, ge=0)
    retry_max_delay_seconds: float = Field(default=3600.0, ge=0)
    retry_for_hours: float = Field(default=360.0, ge=0)
    follow_up_retry_for_hours: float = Field(default=96.0, ge=0)
    # Local stack only: shrinks every retry wait and span (1 on AWS).
    retry_time_scale: float = Field(default=1.0, gt=0, le=1)
    # The operations queue's MessageRetentionPeriod: a message retried past it is sent afresh.
    operations_queue_retention_seconds: int = Field(default=4 * 86400, ge=60)
    # The sweeper's deadlines: an operation not run this long after it was accepted is flagged
    # `queued`; a platform that has not confirmed an accepted operation this long raises an alert;
    # a retrying operation not run again this long after its backoff is sent again.
    queued_alert_minutes: float = Field(default=15.0, ge=0)
    verification_timeout_minutes: float = Field(default=30.0, ge=0)
    stuck_grace_seconds: float = Field(default=15 * 60.0, ge=0)
    sweep_batch: int = Field(default=500, ge=1)
    # The order-operation state machine's TimeoutSeconds: the longest one run may take. The
    # dispatcher starts a run only with this much of its own time left (operations.dispatch).
    workflow_timeout_seconds: int = Field(default=90, ge=1, le=300)
    history_retention_days: int = Field(default=90, ge=1)
    credential_cache_seconds: float = Field(default=60.0, ge=0)
    # How long a secret read from Secrets Manager is used before it is read again: how soon a
    # rotation is picked up, against one GetSecretValue per request.
    secret_cache_seconds: float = Field(default=300.0, ge=0)


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
    return Settings.from_environment()
