"""The console's resolver: its routes (`ordersync.console.routes_*`, all on one router), and its
exception policy: no session is a trip to the sign-in page, a refusal is a page that says why
(403, 404, 422), and nothing a browser sends becomes a 500."""

import re
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from ordersync.actions.models import ActionRefused, InvalidPayload, UnknownJob
from ordersync.alerts.ids import UnknownAlert
from ordersync.console import (
    routes_auth,
    routes_contacts,
    routes_export,
    routes_lists,
    routes_order,
    routes_report,
    routes_settings,
    web,
)
from ordersync.console.render import page, redirect
from ordersync.console.session import BadCsrf, NotSignedIn
from ordersync.history.query import InvalidQuery
from ordersync.merchants.models import InvalidGrant
from ordersync.merchants.service import Forbidden, UserConflict, UserNotFound
from ordersync.notifications.preferences import UnknownUsers

# Under a named stage the path starts with it (/dev/console/...); routes are written without.
app = APIGatewayHttpResolver(strip_prefixes=[re.compile(r"^/[^/]+(?=/console(/|$))")])
app.include_router(web.router)
ROUTES = (
    routes_auth,
    routes_contacts,
    routes_export,
    routes_lists,
    routes_order,
    routes_report,
    routes_settings,
)  # imported for their routes

REFUSED: dict[type[Exception], tuple[int, str]] = {
    BadCsrf: (403, "This form cannot be accepted"),
    Forbidden: (403, "Not allowed"),
    UnknownAlert: (404, "No such order"),
    UserNotFound: (404, "No such user"),
    UnknownUsers: (404, "No such user"),
    UserConflict: (409, "That cannot be done"),
    InvalidGrant: (422, "That cannot be granted"),
    ActionRefused: (409, "That does not apply now"),
    UnknownJob: (404, "No such job"),
    InvalidPayload: (422, "The request has problems"),
}


def _refusal(status: int, title: str, reason: str) -> Response[str]:
    return page("refused.html", status, base=web.base(), title=title, reason=reason)


@app.exception_handler(NotSignedIn)
def _sign_in_first(error: NotSignedIn) -> Response[str]:
    return redirect(f"{web.base()}/sign-in")


@app.exception_handler(list(REFUSED))
def _refused(error: Exception) -> Response[str]:
    status, title = REFUSED[type(error)]
    return _refusal(status, title, str(error))


@app.exception_handler(InvalidQuery)
def _invalid(error: InvalidQuery) -> Response[str]:
    """Every problem at once, each with the field it is about."""
    problems = "; ".join(
        f"{'.'.join(map(str, found['loc'][1:])) or 'query'}: {found['msg']}"
        for found in error.problems
    )
    return _refusal(422, "The request has problems; nothing was done", problems)


@app.not_found
def _not_found(error: NotFoundError) -> Response[str]:
    return _refusal(404, "Not found", "There is no such page in the console.")


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
