"""The merchant console: server-rendered pages under /console/ (`ordersync.console`)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.console.app import handle
from ordersync.core.pii import PiiMaskingFormatter

logger = Logger(logger_formatter=PiiMaskingFormatter())
# botocore only: the console sends no request through httpx (its one other fetch, the user pool's
# keys once an hour, goes through the standard library), and patching httpx imported it.
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context)
