"""The merchant API's exception policy: the merchant service's refusals become 403, 404 and
409, an address the user pool refuses 422, a request that fails validation lists every problem,
and anything else is a logged 500 with the request id. (Kept apart from `errors` so the
merchant function does not import the channel intake.)"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from ordersync.api.responses import error_body, problems, register_common
from ordersync.merchants.service import Forbidden, InvalidEmail, UserConflict, UserNotFound

STATUS: dict[type[Exception], int] = {
    Forbidden: 403,
    UserNotFound: 404,
    UserConflict: 409,
}


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(list(STATUS))
    def _refused(error: Exception) -> Response[Any]:
        return error_body(STATUS[type(error)], str(error))

    @app.exception_handler(InvalidEmail)
    def _invalid_email(error: InvalidEmail) -> Response[Any]:
        # A 422 has one shape everywhere: the problems, each with its field.
        return problems([{"loc": ("body", "email"), "msg": str(error), "type": "invalid_email"}])

    register_common(app, nothing="changed")
