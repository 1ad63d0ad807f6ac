"""Merchant users in the config table: one item per user under the merchant's partition
(pk MERCHANT#<merchant>, sk USER#<userId>), so a merchant's users are one keyed Query and
another merchant's user id is simply not found."""

from typing import Any, Protocol

from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.dynamo import (
    Update,
    from_item,
    is_condition_failure,
    key,
    partition,
    to_item,
)
from ordersync.core.settings import get_settings
from ordersync.merchants.models import MerchantUser

PREFIX = "USER#"


class UserRepository(Protocol):
    def get(self, merchant_id: str, user_id: str) -> MerchantUser | None: ...
    def list(self, merchant_id: str) -> list[MerchantUser]: ...
    def create(self, user: MerchantUser) -> bool: ...
    def replace(self, user: MerchantUser) -> bool: ...


def _key(merchant_id: str, user_id: str) -> dict[str, Any]:
    return key(f"MERCHANT#{merchant_id}", f"{PREFIX}{user_id}")


def _user(item: dict[str, Any]) -> MerchantUser:
    return MerchantUser.model_validate(from_item(item))


class UserStore:
    """Read on every merchant request and never cached: a demotion or a revoked permission
    takes effect at the next request, not when the user's token expires."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().config_table

    def get(self, merchant_id: str, user_id: str) -> MerchantUser | None:
        item = aws.dynamodb().get_item(
            TableName=self._table, Key=_key(merchant_id, user_id), ConsistentRead=True
        )
        return _user(item["Item"]) if "Item" in item else None

    def list(self, merchant_id: str) -> list[MerchantUser]:
        return [_user(item) for item in partition(self._table, f"MERCHANT#{merchant_id}", PREFIX)]

    def create(self, user: MerchantUser) -> bool:
        """False if the user already has a record."""
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item={**_key(user.merchant_id, user.user_id), **to_item(_values(user))},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def replace(self, user: MerchantUser) -> bool:
        """Write role and permissions; False if the record is gone."""
        values = _values(user)
        update = Update().set_all(
            {name: values[name] for name in ("role", "permissions", "updatedAt")}
        )
        applied = update.when("attribute_exists(#pk)").apply(
            self._table, _key(user.merchant_id, user.user_id)
        )
        return applied.done


def _values(user: MerchantUser) -> dict[str, Any]:
    return user.model_dump(by_alias=True, mode="json")
