"""The merchant API's exception policy: the merchant service's refusals become 403, 404, 409
and 422, a request that fails validation lists every problem, and anything else is a logged 500
with the request id. (Kept apart from `errors` so the merchant function does not import the
channel intake.)"""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from ordersync.api.problems import describe_problems
from ordersync.merchants.service import Forbidden, InvalidGrant, UserConflict, UserNotFound

logger = Logger(child=True)

STATUS: dict[type[Exception], int] = {
    Forbidden: 403,
    UserNotFound: 404,
    UserConflict: 409,
    InvalidGrant: 422,
}


def _body(status_code: int, message: str, **more: Any) -> Response[Any]:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body={"statusCode": status_code, "message": message, **more},
    )


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(list(STATUS))
    def _refused(error: Exception) -> Response[Any]:
        return _body(STATUS[type(error)], str(error))

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[Any]:
        return Response(
            status_code=422,
            content_type=content_types.APPLICATION_JSON,
            body=describe_problems(error.errors()),
        )

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        if isinstance(error, ServiceError):
            raise error  # UnauthorizedError and the like: powertools answers with their status
        request_id = app.current_event.request_context.request_id
        logger.exception("unhandled error", extra={"request_id": request_id})
        return _body(500, "internal error; nothing was changed", requestId=request_id)
