"""The API's one exception policy: domain errors become the answers the contract promises, a
request that fails validation lists every problem, and anything else is a logged 500 that
carries the request id (never a 422 for our own bug)."""

import binascii
import math
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
from ordersync.config.rate_limits import RateLimited
from ordersync.operations import intake
from ordersync.operations.verification import InvalidConfirmation, VerificationRefused

logger = Logger(child=True)


def error_body(status_code: int, message: str, **more: Any) -> Response[Any]:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body={"statusCode": status_code, "message": message, **more},
    )


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(intake.ConflictingRepeat)
    def _conflict(error: Exception) -> Response[Any]:
        return error_body(
            409,
            "this operation was already sent with a different body; "
            "send the same body to read its status, or use a new order id",
        )

    @app.exception_handler(intake.PayloadTooLarge)
    def _too_large(error: intake.PayloadTooLarge) -> Response[Any]:
        return error_body(413, f"{error}; nothing was accepted")

    @app.exception_handler(RateLimited)
    def _rate_limited(error: RateLimited) -> Response[Any]:
        seconds = max(1, math.ceil(error.retry_after))
        response = error_body(429, f"{error}; nothing was accepted", retryAfterSeconds=seconds)
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.exception_handler(MalformedBody)
    def _malformed(error: MalformedBody) -> Response[Any]:
        return error_body(400, f"{error}; nothing was accepted")

    @app.exception_handler([UnicodeDecodeError, binascii.Error])
    def _unreadable(error: Exception) -> Response[Any]:
        reason = unreadable(app.current_event)
        if reason is None:
            return _unexpected(error)  # the body was fine: the failure is ours
        return error_body(400, f"{reason}; nothing was accepted")

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_type(error: RequestUnsupportedContentType) -> Response[Any]:
        sent = app.current_event.headers.get("content-type", "")
        return error_body(415, f"Content-Type {sent!r} is not accepted; send application/json")

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[Any]:
        return Response(
            status_code=422,
            content_type=content_types.APPLICATION_JSON,
            body=describe_problems(error.errors()),
        )

    @app.exception_handler(InvalidConfirmation)
    def _invalid_confirmation(error: InvalidConfirmation) -> Response[Any]:
        return Response(
            status_code=422,
            content_type=content_types.APPLICATION_JSON,
            body=describe_problems(error.problems),
        )

    @app.exception_handler(VerificationRefused)
    def _verification_refused(error: VerificationRefused) -> Response[Any]:
        return error_body(error.status_code, str(error))

    def _unexpected(error: Exception) -> Response[Any]:
        if isinstance(error, ServiceError):
            raise error  # NotFoundError and the like: powertools answers with their status
        request_id = app.current_event.request_context.request_id
        logger.exception("unhandled error", extra={"request_id": request_id})
        return error_body(500, "internal error; nothing was accepted", requestId=request_id)

    app.exception_handler(Exception)(_unexpected)
