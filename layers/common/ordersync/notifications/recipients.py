"""A merchant's notification settings (the config table) and the recipients they make: named
contacts, and users an admin granted notifications to, each at their frequency."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ordersync.core import aws
from ordersync.core.dynamo import from_item, key, to_item
from ordersync.core.settings import get_settings
from ordersync.merchants.models import MerchantUser
from ordersync.merchants.repository import UserRepository, UserStore
from ordersync.notifications.models import Frequency, Recipient, StoredSettings

SORT_KEY = "NOTIFICATIONS"

# A merchant's settings and users as read once for the stream batch being handled, if any.
_batch_reads: ContextVar[dict[str, tuple[StoredSettings, list[MerchantUser]]] | None] = ContextVar(
    "recipients_read_this_batch", default=None
)


@contextmanager
def read_once_per_batch() -> Iterator[None]:
    """Within it, each merchant's settings and users are read once, as they were when the batch
    began, however many of its records tell that merchant something (a batch of a hundred
    alerts of one merchant read them a hundred times); the next batch reads them again."""
    token = _batch_reads.set({})
    try:
        yield
    finally:
        _batch_reads.reset(token)


def _settings_and_users(
    merchant_id: str, settings: "SettingsStore | None", users: UserRepository | None
) -> tuple[StoredSettings, list[MerchantUser]]:
    reads = _batch_reads.get()
    if reads is not None and merchant_id in reads:
        return reads[merchant_id]
    read = (
        (settings or SettingsStore()).get(merchant_id),
        list((users or UserStore()).list(merchant_id)),
    )
    if reads is not None:
        reads[merchant_id] = read
    return read


def _key(merchant_id: str) -> dict[str, Any]:
    return key(f"MERCHANT#{merchant_id}", SORT_KEY)


class SettingsStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().config_table

    def get(self, merchant_id: str) -> StoredSettings:
        item = aws.dynamodb().get_item(
            TableName=self._table, Key=_key(merchant_id), ConsistentRead=True
        )
        if "Item" not in item:
            return StoredSettings()
        values = from_item(item["Item"])
        return StoredSettings.model_validate(
            {k: values[k] for k in ("contacts", "userFrequencies") if k in values}
        )

    def put(self, merchant_id: str, stored: StoredSettings) -> None:
        # The whole list is the admin's to replace: a plain put, last writer wins.
        values = stored.model_dump(by_alias=True, mode="json")
        aws.dynamodb().put_item(
            TableName=self._table, Item={**_key(merchant_id), **to_item(values)}
        )


def user_frequency(stored: StoredSettings, user: MerchantUser) -> Frequency:
    return stored.user_frequencies.get(user.user_id, Frequency.IMMEDIATE)


def recipients(
    merchant_id: str,
    settings: SettingsStore | None = None,
    users: UserRepository | None = None,
) -> list[Recipient]:
    """Everyone the merchant's configuration says to tell, once each (an address named as a
    contact and held by a user is told once, at the contact's frequency); `off` is left out."""
    stored, merchant_users = _settings_and_users(merchant_id, settings, users)
    found: dict[str, Recipient] = {}
    for contact in stored.contacts:
        recipient = Recipient.of_contact(contact)
        found.setdefault(recipient.key, recipient)
    for recipient in _opted_in(stored, merchant_users):
        found.setdefault(recipient.key, recipient)
    return [r for r in found.values() if r.frequency is not Frequency.OFF]


def opted_in_users(
    merchant_id: str,
    settings: SettingsStore | None = None,
    users: UserRepository | None = None,
) -> list[Recipient]:
    """The merchant's users an admin granted notifications (the order-sync notification
    opt-in), at their own frequency; `off` is left out. Named contacts are not users."""
    stored, merchant_users = _settings_and_users(merchant_id, settings, users)
    found = _opted_in(stored, merchant_users)
    return [r for r in found if r.frequency is not Frequency.OFF]


def _opted_in(stored: StoredSettings, users: list[MerchantUser]) -> list[Recipient]:
    return [
        Recipient(
            key=Recipient.key_of(user.email),
            name="",
            email=user.email,
            frequency=user_frequency(stored, user),
            user_id=user.user_id,
        )
        for user in users
        if user.permissions.notifications
    ]
