"""Settings (admins), alert contacts: each user's email frequency, and the named contacts
alerts also go to. Both forms change them through `ordersync.notifications.preferences`, the
service behind `PUT /v1/settings/notifications`, which checks the caller again."""

from aws_lambda_powertools.event_handler import Response

from ordersync.console import contacts
from ordersync.console.render import redirect
from ordersync.console.routes_settings import settings_answer
from ordersync.console.web import base, checked_form, current_session, router
from ordersync.notifications import preferences


@router.post("/console/settings/contacts/users/<userId>")
def set_user_frequency(userId: str) -> Response[str]:
    current = current_session()
    fields = checked_form(current)
    try:
        change = contacts.user_frequency(current.caller, userId, fields)
    except contacts.FormProblems as error:
        return settings_answer(422, error.problems)
    preferences.update(current.caller, change)  # UnknownUsers (404) for another's user
    return redirect(f"{base()}/settings#alert-contacts")


@router.post("/console/settings/contacts")
def set_contacts() -> Response[str]:
    current = current_session()
    fields = checked_form(current)
    try:
        change = contacts.contact_list(fields)
    except contacts.FormProblems as error:
        return settings_answer(422, error.problems)
    preferences.update(current.caller, change)
    return redirect(f"{base()}/settings#alert-contacts")
