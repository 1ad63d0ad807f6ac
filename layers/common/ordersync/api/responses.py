"""What every API function answers the same way: the error body, a request that fails
validation (every problem at once), a body that cannot be read (400) or is not JSON (415), and
anything unexpected (a logged 500 with the request id,
never a 4xx for our own bug). Each function's policy adds its own domain errors."""

import binascii
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from ordersync.api.body import MalformedBody, unreadable
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

    @app.exception_handler(MalformedBody)
    def _malformed(error: MalformedBody) -> Response[Any]:
        return error_body(400, f"{error}; nothing was {nothing}")

    @app.exception_handler([UnicodeDecodeError, binascii.Error])
    def _unreadable(error: Exception) -> Response[Any]:
        reason = unreadable(app.current_event)
        if reason is None:
            return unexpected(error)  # the body was fine: the failure is ours
        return error_body(400, f"{reason}; nothing was {nothing}")

    def unsupported_type(sent: str) -> Response[Any]:
        return error_body(415, f"Content-Type {sent!r} is not accepted; send application/json")

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_type(error: RequestUnsupportedContentType) -> Response[Any]:
        return unsupported_type(app.current_event.headers.get("content-type", ""))

    @app.exception_handler(ValueError)
    def _unreadable_as_sent(error: ValueError) -> Response[Any]:
        # powertools reads a multipart or form body before any route runs, and raises a bare
        # ValueError on a malformed one (no boundary: found by schemathesis). Every route here
        # takes JSON, so a body sent as anything else is the client's 415; with JSON, the
        # failure is ours.
        sent = app.current_event.headers.get("content-type") or ""
        if app.current_event.body and sent and "json" not in sent.lower():
            return unsupported_type(sent)
        return unexpected(error)

    return unexpected
