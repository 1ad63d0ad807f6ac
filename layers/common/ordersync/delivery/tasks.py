"""The state machine's delivery tasks share one handler shape: parse, check, deliver."""

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.models import OperationMessage, OperationType
from ordersync.core.pii import PiiMaskingFormatter
from ordersync.delivery.service import deliver

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def delivery_handler(operation: OperationType) -> Handler:
    logger = Logger(logger_formatter=PiiMaskingFormatter())
    tracer = Tracer(patch_modules=["botocore", "httpx"])

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        message = OperationMessage.model_validate(event["message"])
        if message.operation is not operation:
            raise ValueError(f"the {operation} task was given a {message.operation} operation")
        logger.append_keys(operation_id=message.operation_id)
        # The platform calls' timeouts come from this function's own time left, so an attempt
        # records its answer before Lambda stops it.
        remaining = context.get_remaining_time_in_millis() / 1000
        # The run's first try has its number from the lease; a Step Functions retry
        # ($$.State.RetryCount above 0) counts its own.
        first = event.get("attempt") if not event.get("retryCount") else None
        return deliver(message, deadline=time.monotonic() + remaining, counted_attempt=first)

    return lambda_handler
