"""The merchant API's exception policy: the user service's and the actions' refusals become
403, 404, 409, 413 and 422 with the reason, a list query's or a body's problems (and an address
the user pool refuses) a 422 that lists them all, an unknown alert, order or job id a 404, and
anything else is a logged 500 with the request id. (Kept apart from `errors`, the channel side's
policy, whose refusals the merchant routes never raise.)"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from ordersync.actions.models import ActionRefused, InvalidPayload, UnknownJob
from ordersync.alerts.ids import UnknownAlert
from ordersync.api.responses import error_body, problems, register_common
from ordersync.history.query import InvalidQuery
from ordersync.history.stories import UnknownOrder
from ordersync.merchants.service import Forbidden, InvalidEmail, UserConflict, UserNotFound
from ordersync.notifications.preferences import UnknownUsers
from ordersync.operations.intake import PayloadTooLarge

STATUS: dict[type[Exception], int] = {
    Forbidden: 403,
    UserNotFound: 404,
    UnknownAlert: 404,
    UnknownOrder: 404,
    UnknownJob: 404,
    UserConflict: 409,
    ActionRefused: 409,
    PayloadTooLarge: 413,
}

# An unknown id's own text is the id the client sent; the answer says what was not found.
MESSAGES: dict[type[Exception], str] = {
    UnknownAlert: "no alert of this merchant has this id",
    UnknownOrder: "no order of this merchant has this id",
    UnknownJob: "no bulk job of this merchant has this id",
}


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(list(STATUS))
    def _refused(error: Exception) -> Response[Any]:
        status = STATUS[type(error)]
        if status == 413:
            return error_body(status, f"{error}; nothing was changed")
        return error_body(status, MESSAGES.get(type(error)) or str(error))

    @app.exception_handler([InvalidPayload, InvalidQuery])
    def _invalid(error: InvalidPayload | InvalidQuery) -> Response[Any]:
        return problems(error.problems)

    @app.exception_handler(UnknownUsers)
    def _unknown_users(error: UnknownUsers) -> Response[Any]:
        return problems([{"loc": ("body", "users"), "msg": str(error), "type": "unknown_user"}])

    @app.exception_handler(InvalidEmail)
    def _invalid_email(error: InvalidEmail) -> Response[Any]:
        # A 422 has one shape everywhere: the problems, each with its field.
        return problems([{"loc": ("body", "email"), "msg": str(error), "type": "invalid_email"}])

    register_common(app, nothing="changed")
