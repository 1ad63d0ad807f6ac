"""The daily report's form on the Settings page (admins): send time, zone, scope, recipients,
saved through the same service as PUT /v1/settings/report; a refused form is the page again
(422) with every problem and what was typed."""

import re

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from ordersync.console.render import redirect
from ordersync.console.routes_settings import settings_answer
from ordersync.console.web import base, checked_form, current_session, first, router
from ordersync.reports import preferences
from ordersync.reports.models import ReportSettings

LABELS = {
    "send_time": "Send time",
    "time_zone": "Time zone",
    "scope": "What it lists",
    "recipients": "Recipients",
}
# A pattern a person does not read: what it asks for instead.
PATTERNS = {"send_time": "write it as HH:MM, such as 07:30", "recipients": "not an email address"}


def _problems(error: ValidationError) -> list[str]:
    found = []
    for problem in error.errors():
        name, *rest = [str(part) for part in problem["loc"]] or ["form"]
        where = LABELS.get(name, name) + (f" (address {int(rest[0]) + 1})" if rest else "")
        message = problem["msg"]
        if problem["type"] == "string_pattern_mismatch":
            message = PATTERNS.get(name, message)
        found.append(f"{where}: {message}")
    return found


@router.post("/console/settings/report")
def save_report() -> Response[str]:
    current = current_session()
    fields = checked_form(current)
    typed = {
        "send_time": first(fields, "sendTime"),
        "time_zone": first(fields, "timeZone").strip(),
        "scope": first(fields, "scope"),
        "recipients": first(fields, "recipients"),
    }
    # One address a line (or separated by commas), blank lines ignored: none turns it off.
    addresses = [a.strip() for a in re.split(r"[,\r\n]+", typed["recipients"]) if a.strip()]
    try:
        change = ReportSettings.model_validate({**typed, "recipients": addresses})
    except ValidationError as error:
        return settings_answer(422, _problems(error), report=typed)
    preferences.update(current.caller, change)
    return redirect(f"{base()}/settings")
