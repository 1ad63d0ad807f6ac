"""Who a merchant's alerts go to, and how often: named contacts and opted-in users."""

import hashlib
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from ordersync.core.models import Setting
from ordersync.merchants.models import Email

# A display name goes into an email's To header: no CR, LF or other control character, so it
# can never start a header of its own.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")
]


class Frequency(StrEnum):
    IMMEDIATE = "immediate"  # one email at once, the rest of a burst in the window's digest
    HOURLY = "hourly"
    DAILY = "daily"
    OFF = "off"


class Contact(Setting):
    """An address the merchant's admin named for alerts (not necessarily a user)."""

    name: Name = ""
    email: Email
    frequency: Frequency = Frequency.IMMEDIATE


class UserFrequency(Setting):
    user_id: str = Field(min_length=1, max_length=128)
    frequency: Frequency


class NotificationSettingsUpdate(Setting):
    """PUT /v1/settings/notifications: the whole list of contacts, and the frequency of any
    users named (users not named keep theirs)."""

    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    users: list[UserFrequency] = Field(default_factory=list, max_length=500)


class StoredSettings(Setting):
    """The merchant's item in the config table (pk MERCHANT#<merchant>, sk NOTIFICATIONS)."""

    contacts: list[Contact] = Field(default_factory=list)
    user_frequencies: dict[str, Frequency] = Field(default_factory=dict)


class UserNotifications(Setting):
    user_id: str
    email: str
    role: str
    # Granted by an admin (PUT /v1/users); without it the user gets no email at any frequency.
    notifications: bool
    frequency: Frequency


class NotificationSettingsView(Setting):
    contacts: list[Contact]
    users: list[UserNotifications]


class Recipient(Setting):
    """One address an alert may go to, from the merchant's configuration only."""

    key: str  # stable and free of the address itself, for the fatigue ledger's keys
    name: str
    email: str
    frequency: Frequency
    user_id: str | None = None

    @staticmethod
    def key_of(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]

    @classmethod
    def of_contact(cls, contact: Contact) -> "Recipient":
        return cls(
            key=cls.key_of(contact.email),
            name=contact.name,
            email=contact.email,
            frequency=contact.frequency,
        )
