"""Merchants' configuration: channels and integrations (destination, mapping, retry budget,
callback URL and secrets)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from pydantic.alias_generators import to_camel

from ordersync.core.models import OperationType


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, populate_by_name=True, frozen=True
    )


# A channel id names the channel inside keys and the platform's external order ids
# (core.models.external_order_id): letters, digits, "-" and "_" only.
CHANNEL_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class Channel(ConfigModel):
    channel_id: str = Field(pattern=CHANNEL_ID_PATTERN)
    merchant_id: str
    integration_id: str
    name: str
    supports_cancellation: bool = True
    # Requests a second, on average (0: unlimited), and how many may come at once.
    requests_per_second: float = Field(default=50.0, ge=0, le=10_000)
    burst: int = Field(default=100, ge=1, le=100_000)


class RetrySchedule(ConfigModel):
    """Between workflow runs a transiently failing operation waits `first_delay_seconds`,
    doubling up to `max_delay_seconds` (with jitter), and is given up (skipped: the dead-letter
    queue) only once it has been retried for its span AND has had `at_least_runs` runs. The
    defaults: about hourly, for 15 days for an order's creation and 4 days for a follow-up."""

    first_delay_seconds: float = Field(default=60.0, ge=0, le=12 * 3600)
    max_delay_seconds: float = Field(default=3600.0, ge=0, le=12 * 3600)
    create_for_hours: float = Field(default=360.0, ge=0, le=24 * 90)
    follow_up_for_hours: float = Field(default=96.0, ge=0, le=24 * 90)
    at_least_runs: int = Field(default=10, ge=1, le=1000)

    def span_hours(self, operation: OperationType) -> float:
        return (
            self.create_for_hours if operation is OperationType.CREATE else self.follow_up_for_hours
        )


class PlatformAuth(ConfigModel):
    kind: Literal["bearer", "header", "none"] = "bearer"
    header: str = "Authorization"
    # The platform's token is in Secrets Manager (config.secrets); only its ARN is stored here.
    token_secret_arn: str | None = None


DEFAULT_PATHS = {
    OperationType.CREATE: "/orders",
    OperationType.CANCEL: "/orders/{order_id}/cancel",
    OperationType.INVOICE: "/orders/{order_id}/invoices",
    OperationType.SHIPMENT: "/orders/{order_id}/shipments",
    OperationType.REFUND: "/orders/{order_id}/refunds",
}


class Integration(ConfigModel):
    integration_id: str
    merchant_id: str
    name: str
    base_url: HttpUrl
    auth: PlatformAuth = PlatformAuth(kind="none")
    paths: dict[OperationType, str] = Field(default_factory=lambda: dict(DEFAULT_PATHS))
    lookup_path: str = "/orders/{order_id}"
    update_path: str = "/orders/{order_id}"
    customer_path: str = "/customers"
    sync_customers: bool = False
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # How many runs (each one platform request at a time) may be in flight at once, across
    # every dispatcher (operations.inflight); None: as many as the dispatchers run.
    max_in_flight: int | None = Field(default=None, ge=1, le=1000)
    # How a transiently failing operation is retried between workflow runs (None: the
    # stack's default, from the template's parameters).
    retry: "RetrySchedule | None" = None
    # Payload mapping: a Jinja2 template (rendering JSON) and a JSON Schema, per operation.
    templates: dict[OperationType, str] = Field(default_factory=dict)
    schemas: dict[OperationType, dict[str, Any]] = Field(default_factory=dict)
    ship_method_map: dict[str, str] | None = None
    # The platform's own error codes mapped to catalog codes, beyond the defaults.
    system_codes: dict[str, str] = Field(default_factory=dict)
    callback_url: HttpUrl | None = None
    # Secrets Manager ARNs (config.secrets), never the secrets themselves: the secret our
    # callbacks are signed with, and the one the platform signs its confirmations of
    # asynchronously accepted operations with (none: its confirmations are refused).
    callback_secret_arn: str | None = None
    verification_secret_arn: str | None = None
