"""Merchants' configuration: channels and integrations (destination, mapping, retry budget,
callback URL and secrets)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from pydantic.alias_generators import to_camel

from ordersync.core.models import OperationType


class ConfigModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


# A channel id names the channel inside keys and the platform's external order ids
# (core.models.external_order_id): letters, digits, "-" and "_" only.
CHANNEL_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class Channel(ConfigModel):
    channel_id: str = Field(pattern=CHANNEL_ID_PATTERN)
    merchant_id: str
    integration_id: str
    name: str
    supports_cancellation: bool = True


class PlatformAuth(ConfigModel):
    kind: Literal["bearer", "header", "none"] = "bearer"
    header: str = "Authorization"
    # A real deployment keeps this in Secrets Manager and stores only its ARN here.
    token: str = ""


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
    retry_budget: int | None = Field(default=None, ge=1, le=100)
    # Payload mapping: a Jinja2 template (rendering JSON) and a JSON Schema, per operation.
    templates: dict[OperationType, str] = Field(default_factory=dict)
    schemas: dict[OperationType, dict[str, Any]] = Field(default_factory=dict)
    ship_method_map: dict[str, str] | None = None
    # The platform's own error codes mapped to catalog codes, beyond the defaults.
    system_codes: dict[str, str] = Field(default_factory=dict)
    callback_url: HttpUrl | None = None
    callback_secret: str = ""
    # The platform signs its confirmations of asynchronously accepted operations with this;
    # empty: the integration's confirmations are refused.
    verification_secret: str = ""
