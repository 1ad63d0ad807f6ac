"""The API's one exception policy: domain errors become the answers the contract promises, a
request that fails validation lists every problem, and anything else is a logged 500 that
carries the request id (never a 422 for our own bug)."""

import math
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from ordersync.api.responses import error_body, problems, register_common
from ordersync.config.rate_limits import RateLimited
from ordersync.operations import intake
from ordersync.operations.verification import InvalidConfirmation, VerificationRefused


def register(app: APIGatewayHttpResolver) -> None:
    register_common(app, nothing="accepted")

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

    @app.exception_handler(InvalidConfirmation)
    def _invalid_confirmation(error: InvalidConfirmation) -> Response[Any]:
        return problems(error.problems)

    @app.exception_handler(VerificationRefused)
    def _verification_refused(error: VerificationRefused) -> Response[Any]:
        return error_body(error.status_code, str(error))
