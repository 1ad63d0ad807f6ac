"""The merchant API's exception policy: the merchant service's refusals become 403, 404, 409
and 422, a list query's problems a 422 that lists them all, an unknown alert or order id a 404,
a request that fails validation lists every problem, and anything else is a logged 500 with the
request id. (Kept apart from `errors` so the merchant function does not import the channel
intake.)"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from ordersync.alerts.ids import UnknownAlert
from ordersync.api.responses import error_body, problems, register_common
from ordersync.history.query import InvalidQuery
from ordersync.history.stories import UnknownOrder
from ordersync.merchants.service import Forbidden, InvalidGrant, UserConflict, UserNotFound

STATUS: dict[type[Exception], int] = {
    Forbidden: 403,
    UserNotFound: 404,
    UnknownAlert: 404,
    UnknownOrder: 404,
    UserConflict: 409,
    InvalidGrant: 422,
}

# An unknown id's own text is the id the client sent; the answer says what was not found.
MESSAGES: dict[type[Exception], str] = {
    UnknownAlert: "no alert of this merchant has this id",
    UnknownOrder: "no order of this merchant has this id",
}


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(list(STATUS))
    def _refused(error: Exception) -> Response[Any]:
        return error_body(STATUS[type(error)], MESSAGES.get(type(error)) or str(error))

    @app.exception_handler(InvalidQuery)
    def _invalid_query(error: InvalidQuery) -> Response[Any]:
        return problems(error.problems)

    register_common(app, nothing="changed")
