"""The state machine's delivery tasks share one handler shape: parse, check, deliver."""

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.models import OperationMessage, OperationType
from ordersync.core.pii import PiiMaskingFormatter
from ordersync.delivery.service import deliver
from ordersync.operations import leases
from ordersync.operations.leases import Lease

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
        taken = take_run(message, leases.holder_of(event["executionName"]), event)
        if taken.lease is not Lease.TAKEN:
            return not_run(taken)
        summary = deliver(
            message, deadline=time.monotonic() + remaining, counted_attempt=taken.attempt
        )
        return {**summary, "run": taken.run}

    return lambda_handler


def not_run(taken: leases.Taken) -> dict[str, Any]:
    """A copy with nothing to run, or a twin of a running execution: the last task acknowledges
    it as the dispatcher did (operations.settle.not_run)."""
    return {
        "notRun": taken.lease.value,
        "skippedAt": taken.skipped_at,
        "deadLettered": taken.dead_lettered,
        "twin": taken.twin,
    }


def take_run(message: OperationMessage, holder: str, event: dict[str, Any]) -> leases.Taken:
    """The first try takes the run lease (counting the run and its first attempt in one write);
    a Step Functions retry (`$$.State.RetryCount` above 0) carries on the lease its execution
    holds, or takes it if the first try failed before it could. Only the first try must find the
    lease free: a twin execution (Step Functions runs asynchronous Express executions at least
    once) has the same name, and must not deliver beside its original."""
    if event.get("retryCount"):
        resumed = leases.resume(message.operation_id, holder)
        if resumed is not None:
            return resumed
    return leases.acquire(
        message.operation_id,
        holder,
        leases.lease_seconds(),
        dead_letter_of=message.dead_letter_of,
    )
