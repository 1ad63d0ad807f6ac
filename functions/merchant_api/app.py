"""The merchant-facing HTTP API: every route lives in `ordersync.api.merchant`."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.api.merchant_app import app
from ordersync.core.pii import PiiMaskingFormatter

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
