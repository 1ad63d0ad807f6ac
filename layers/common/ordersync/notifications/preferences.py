"""GET/PUT /v1/settings/notifications: a merchant's admin lists and sets who is told and how
often, the named contacts and each user's frequency (a user is told only once an admin granted
them notifications). The merchant is the caller's, never the request's."""

from ordersync.merchants.models import Caller, Role
from ordersync.merchants.repository import UserRepository, UserStore
from ordersync.merchants.service import Forbidden, current_user
from ordersync.notifications.models import (
    NotificationSettingsUpdate,
    NotificationSettingsView,
    StoredSettings,
    UserNotifications,
)
from ordersync.notifications.recipients import SettingsStore, user_frequency


class UnknownUsers(ValueError):
    """Frequencies for users the merchant does not have (422)."""


def _admin(caller: Caller, users: UserRepository) -> None:
    if current_user(caller, users).role is not Role.ADMIN:
        raise Forbidden("only an admin sets who is notified")


def view(
    caller: Caller, users: UserRepository | None = None, store: SettingsStore | None = None
) -> NotificationSettingsView:
    users, store = users or UserStore(), store or SettingsStore()
    _admin(caller, users)
    return _view(caller.merchant_id, store.get(caller.merchant_id), users)


def _view(
    merchant_id: str, stored: StoredSettings, users: UserRepository
) -> NotificationSettingsView:
    listed = sorted(users.list(merchant_id), key=lambda user: user.email)
    return NotificationSettingsView(
        contacts=stored.contacts,
        users=[
            UserNotifications(
                user_id=user.user_id,
                email=user.email,
                role=user.role.value,
                notifications=user.permissions.notifications,
                frequency=user_frequency(stored, user),
            )
            for user in listed
        ],
    )


def update(
    caller: Caller,
    change: NotificationSettingsUpdate,
    users: UserRepository | None = None,
    store: SettingsStore | None = None,
) -> NotificationSettingsView:
    """Replace the contacts; set the frequency of the users named (the others keep theirs)."""
    users, store = users or UserStore(), store or SettingsStore()
    _admin(caller, users)
    known = {user.user_id for user in users.list(caller.merchant_id)}
    unknown = sorted({u.user_id for u in change.users} - known)
    if unknown:
        raise UnknownUsers(f"no user of this merchant has the id {', '.join(unknown)}")
    stored = store.get(caller.merchant_id)
    frequencies = {**stored.user_frequencies, **{u.user_id: u.frequency for u in change.users}}
    changed = StoredSettings(contacts=change.contacts, user_frequencies=frequencies)
    store.put(caller.merchant_id, changed)
    return _view(caller.merchant_id, changed, users)
