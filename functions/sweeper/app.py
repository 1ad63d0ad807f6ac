"""Scheduled sweep over overdue operations: queued, unverified, or missing their next run."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.operations.sweeper import sweep

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return vars(sweep())
