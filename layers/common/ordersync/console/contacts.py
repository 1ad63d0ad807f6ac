"""The Settings page's "Alert contacts" section: what it shows of the merchant's notification
settings, and the changes its two forms ask for, as the API's `NotificationSettingsUpdate`.
Who may change them and what a change does stay in `ordersync.notifications.preferences`, the
service `PUT /v1/settings/notifications` calls too."""

import re
from typing import Any

from pydantic import ValidationError

from ordersync.console.web import first
from ordersync.merchants.models import Caller
from ordersync.notifications import preferences
from ordersync.notifications.models import (
    Frequency,
    NotificationSettingsUpdate,
    UserNotifications,
)

ROW = re.compile(r"contacts\.([0-9]{1,3})\.[a-z]+")
FREQUENCIES = tuple(frequency.value for frequency in Frequency)
# Blank rows the contacts form offers for new addresses (rows left blank are dropped).
NEW_ROWS = 2


class FormProblems(Exception):
    """What was wrong with a posted form, every problem at once, in the page's words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def receives(user: UserNotifications) -> str:
    """Whether a user is emailed, and if not, what stops it (the page's wording)."""
    if not user.notifications:
        return "no (notifications are not granted to them under Users)"
    if user.frequency is Frequency.OFF:
        return "no (their frequency is off)"
    return f"yes, {user.frequency.value}"


def section(caller: Caller) -> dict[str, Any]:
    """The section's values; `Forbidden` (403) for a caller who is not an admin."""
    settings = preferences.view(caller)
    return {
        "contact_users": [(user, receives(user)) for user in settings.users],
        "contacts": settings.contacts,
        "new_contact_rows": range(len(settings.contacts), len(settings.contacts) + NEW_ROWS),
        "frequencies": FREQUENCIES,
    }


def _validated(values: dict[str, Any], about: dict[int, str]) -> NotificationSettingsUpdate:
    """The update, or FormProblems naming each row by the address it is about."""
    try:
        return NotificationSettingsUpdate.model_validate(values)
    except ValidationError as error:
        problems = []
        for found in error.errors():
            where = found["loc"]
            row = about.get(int(where[1]), "") if len(where) > 1 else ""
            field = str(where[2]) if len(where) > 2 else str(where[0])
            message = found["msg"]
            if field == "email" and found["type"] == "string_pattern_mismatch":
                message = "is not an email address"
            problems.append(f"{row} {field}: {message}".strip())
        raise FormProblems(problems) from error


def user_frequency(
    caller: Caller, user_id: str, fields: dict[str, list[str]]
) -> NotificationSettingsUpdate:
    """One user's new frequency; the contacts stay as they are (the update replaces them)."""
    settings = preferences.view(caller)
    email = next((u.email for u in settings.users if u.user_id == user_id), user_id)
    values = {
        "contacts": [contact.model_dump(by_alias=True) for contact in settings.contacts],
        "users": [{"userId": user_id, "frequency": first(fields, "frequency")}],
    }
    return _validated(values, {0: email})


def contact_list(fields: dict[str, list[str]]) -> NotificationSettingsUpdate:
    """The named contacts as the form lists them, in its order: rows ticked for removal and
    blank rows left out. Users' frequencies are not touched (users not named keep theirs)."""
    rows: list[dict[str, str]] = []
    about: dict[int, str] = {}
    for n in _row_numbers(fields):
        name = first(fields, f"contacts.{n}.name").strip()
        email = first(fields, f"contacts.{n}.email").strip()
        if first(fields, f"contacts.{n}.remove") == "on" or not (name or email):
            continue
        about[len(rows)] = f"contact {email or name}"
        frequency = first(fields, f"contacts.{n}.frequency", Frequency.IMMEDIATE.value)
        rows.append({"name": name, "email": email, "frequency": frequency})
    return _validated({"contacts": rows}, about)


def _row_numbers(fields: dict[str, list[str]]) -> list[int]:
    """The rows the form sent (`contacts.<n>.<field>`), in order; the sender picks the numbers,
    so they are read from the fields, never counted up to."""
    found = (ROW.fullmatch(name) for name in fields)
    return sorted({int(match[1]) for match in found if match})
