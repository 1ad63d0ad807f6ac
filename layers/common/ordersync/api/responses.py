"""What every API function answers the same way: the error body, a request that fails
validation (every problem at once), and anything unexpected (a logged 500 with the request id,
never a 4xx for our own bug). Each function's policy adds its own domain errors."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from ordersync.api.problems import describe_problems

logger = Logger(child=True)


def error_body(status_code: int, message: str, **more: Any) -> Response[Any]:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body={"statusCode": status_code, "message": message, **more},
    )


def problems(errors: Any) -> Response[Any]:
    return Response(
        status_code=422,
        content_type=content_types.APPLICATION_JSON,
        body=describe_problems(errors),
    )


def register_common(
    app: APIGatewayHttpResolver, *, nothing: str
) -> Callable[[Exception], Response[Any]]:
    """Register the shared handlers; `nothing` says what a 500 left undone ("accepted",
    "changed"). Returns the catch-all, for a handler that finds the failure is ours."""

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[Any]:
        return problems(error.errors())

    def unexpected(error: Exception) -> Response[Any]:
        if isinstance(error, ServiceError):
            raise error  # NotFoundError and the like: powertools answers with their status
        request_id = app.current_event.request_context.request_id
        logger.exception("unhandled error", extra={"request_id": request_id})
        return error_body(500, f"internal error; nothing was {nothing}", requestId=request_id)

    app.exception_handler(Exception)(unexpected)
    return unexpected
