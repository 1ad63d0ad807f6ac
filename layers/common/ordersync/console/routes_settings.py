"""Settings (admins): the merchant's users, their roles and granted permissions, and inviting
one; the alert contacts section (`ordersync.console.contacts`) and the daily report's form
(`routes_report`). Every change goes through the services (`ordersync.merchants.service`,
`ordersync.notifications.preferences`, `ordersync.reports.preferences`), which check the caller
again."""

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from ordersync.console import contacts
from ordersync.console.render import page, redirect
from ordersync.console.web import base, checked_form, common, current_session, first, router
from ordersync.merchants import service
from ordersync.merchants.models import InviteRequest, Permissions, Role, UserUpdate
from ordersync.reports import preferences as report_preferences


def settings_answer(
    status: int = 200, problems: list[str] | None = None, report: dict[str, str] | None = None
) -> Response[str]:
    """The page; `report`: the report form as it was posted (refused), else as stored."""
    current = current_session()
    users = service.list_users(current.caller)  # Forbidden (403) for a non-admin
    if report is None:
        stored = report_preferences.view(current.caller)
        report = {**stored.model_dump(mode="json"), "recipients": "\n".join(stored.recipients)}
    return page(
        "settings.html",
        status,
        **common(current, "settings"),
        users=users,
        roles=[role.value for role in Role],
        problems=problems or [],
        **contacts.section(current.caller),
        report=report,
    )


@router.get("/console/settings")
def settings_page() -> Response[str]:
    return settings_answer()


def _permissions(fields: dict[str, list[str]]) -> Permissions:
    return Permissions(
        order_sync=first(fields, "orderSync") == "on",
        notifications=first(fields, "notifications") == "on",
    )


def _problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in error.errors()]


@router.post("/console/settings/users/<userId>")
def update_user(userId: str) -> Response[str]:
    current = current_session()
    fields = checked_form(current)
    try:
        change = UserUpdate(role=first(fields, "role") or None, permissions=_permissions(fields))
    except ValidationError as error:
        return settings_answer(422, _problems(error))
    service.update(current.caller, userId, change)
    return redirect(f"{base()}/settings")


@router.post("/console/settings/users")
def invite_user() -> Response[str]:
    current = current_session()
    fields = checked_form(current)
    try:
        invitation = InviteRequest(
            email=first(fields, "email"),
            role=first(fields, "role"),
            permissions=_permissions(fields),
        )
    except ValidationError as error:
        return settings_answer(422, _problems(error))
    service.invite(current.caller, invitation)
    return redirect(f"{base()}/settings")
