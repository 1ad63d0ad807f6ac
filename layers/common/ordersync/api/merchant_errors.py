"""The merchant API's exception policy: the user service's and the actions' refusals become
403, 404, 409, 413 and 422 with the reason, a request or body that fails validation lists every
problem, and anything else is a logged 500 with the request id. (Kept apart from `errors`,
the channel side's policy, whose refusals the merchant routes never raise.)"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from ordersync.actions.jobs import UnknownJob
from ordersync.actions.models import ActionRefused, InvalidPayload
from ordersync.alerts.ids import UnknownAlert
from ordersync.api.responses import error_body, problems, register_common
from ordersync.history.query import InvalidQuery
from ordersync.merchants.service import Forbidden, InvalidGrant, UserConflict, UserNotFound
from ordersync.operations.intake import PayloadTooLarge

STATUS: dict[type[Exception], int] = {
    Forbidden: 403,
    UserNotFound: 404,
    UnknownAlert: 404,
    UnknownJob: 404,
    UserConflict: 409,
    ActionRefused: 409,
    PayloadTooLarge: 413,
    InvalidGrant: 422,
}


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(list(STATUS))
    def _refused(error: Exception) -> Response[Any]:
        status = STATUS[type(error)]
        if isinstance(error, UnknownAlert | UnknownJob):
            what = "alert" if isinstance(error, UnknownAlert) else "bulk job"
            return error_body(status, f"no {what} of this merchant has the id {error}")
        return error_body(status, f"{error}; nothing was changed" if status == 413 else str(error))

    @app.exception_handler([InvalidPayload, InvalidQuery])
    def _invalid(error: InvalidPayload | InvalidQuery) -> Response[Any]:
        return problems(error.problems)

    register_common(app, nothing="changed")
