"""Merchants' configuration: channels (and their hashed credentials) and integrations."""

import hashlib
import secrets
import time
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from pydantic.alias_generators import to_camel

from ordersync import aws
from ordersync.dynamo import key
from ordersync.models import OperationType
from ordersync.settings import get_settings


class ConfigModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Channel(ConfigModel):
    channel_id: str
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


def credential_hash(credential: str) -> str:
    # Credentials are random 256-bit tokens, so a fast unsalted hash cannot be brute-forced;
    # it lets a credential be found by key without ever storing it.
    return hashlib.sha256(credential.encode()).hexdigest()


def new_credential() -> str:
    return "osk_" + secrets.token_urlsafe(32)


class ConfigStore:
    """Keyed reads and writes of the config table; a short in-memory cache for the hot path."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().config_table
        self._cache: dict[tuple[str, str], tuple[float, str | None]] = {}

    def _get(self, pk: str, sk: str) -> str | None:
        ttl = get_settings().credential_cache_seconds
        cached = self._cache.get((pk, sk))
        now = time.monotonic()
        if cached and now - cached[0] < ttl:
            return cached[1]
        item = aws.dynamodb().get_item(TableName=self._table, Key=key(pk, sk)).get("Item")
        doc = item["doc"]["S"] if item else None
        self._cache[(pk, sk)] = (now, doc)
        return doc

    def _put(self, pk: str, sk: str, model: ConfigModel) -> None:
        aws.dynamodb().put_item(
            TableName=self._table,
            Item={**key(pk, sk), "doc": {"S": model.model_dump_json(by_alias=True)}},
        )
        self._cache.pop((pk, sk), None)

    def channel_for_credential(self, credential: str) -> Channel | None:
        doc = self._get(f"CREDENTIAL#{credential_hash(credential)}", "CHANNEL")
        return Channel.model_validate_json(doc) if doc else None

    def integration(self, merchant_id: str, integration_id: str) -> Integration | None:
        doc = self._get(f"MERCHANT#{merchant_id}", f"INTEGRATION#{integration_id}")
        return Integration.model_validate_json(doc) if doc else None

    def channel(self, merchant_id: str, channel_id: str) -> Channel | None:
        doc = self._get(f"MERCHANT#{merchant_id}", f"CHANNEL#{channel_id}")
        return Channel.model_validate_json(doc) if doc else None

    def put_channel(self, channel: Channel, credential: str) -> None:
        self._put(f"CREDENTIAL#{credential_hash(credential)}", "CHANNEL", channel)
        self._put(f"MERCHANT#{channel.merchant_id}", f"CHANNEL#{channel.channel_id}", channel)

    def put_integration(self, integration: Integration) -> None:
        self._put(
            f"MERCHANT#{integration.merchant_id}",
            f"INTEGRATION#{integration.integration_id}",
            integration,
        )


@cache
def _store_for(table: str) -> ConfigStore:
    return ConfigStore(table)


def config_store() -> ConfigStore:
    """The container's shared store, so its short cache outlives one invocation."""
    return _store_for(get_settings().config_table)
