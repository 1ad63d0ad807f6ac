"""The config table: keyed reads and writes, with a short in-memory cache for the hot path."""

import time
from functools import cache

from ordersync.config.credentials import credential_hash
from ordersync.config.models import Channel, ConfigModel, Integration
from ordersync.core import aws
from ordersync.core.dynamo import key, partition
from ordersync.core.settings import get_settings


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

    def channels(self, merchant_id: str) -> list[Channel]:
        """Every channel of the merchant: one keyed Query of its partition (uncached: read by
        merchant routes, not the hot path)."""
        items = partition(self._table, f"MERCHANT#{merchant_id}", "CHANNEL#")
        return [Channel.model_validate_json(item["doc"]["S"]) for item in items]

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
