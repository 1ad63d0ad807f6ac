"""Unsubscribing from a link: the recipient's frequency becomes `off` in the merchant's
settings (a named contact's, or a user's own), and nothing else changes."""

from ordersync.notifications.models import Contact, Frequency, Recipient
from ordersync.notifications.recipients import SettingsStore


def unsubscribe(merchant_id: str, recipient: Recipient, store: SettingsStore | None = None) -> None:
    store = store or SettingsStore()
    stored = store.get(merchant_id)
    contacts = [
        Contact(name=c.name, email=c.email, frequency=Frequency.OFF)
        if Recipient.key_of(c.email) == recipient.key
        else c
        for c in stored.contacts
    ]
    frequencies = dict(stored.user_frequencies)
    if recipient.user_id:
        frequencies[recipient.user_id] = Frequency.OFF
    store.put(
        merchant_id,
        stored.model_copy(update={"contacts": contacts, "user_frequencies": frequencies}),
    )
