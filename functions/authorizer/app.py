"""HTTP API Lambda authorizer: a channel credential in, the channel's identity out.

API Gateway caches each answer per credential (ReauthorizeEvery in template.yaml).
"""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.config.credentials import authorize
from ordersync.config.repository import config_store
from ordersync.core.pii import PiiMaskingFormatter

logger = Logger(logger_formatter=PiiMaskingFormatter())


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    header = (event.get("headers") or {}).get("authorization")
    channel = authorize(header, config_store())
    if channel is None:
        logger.info("channel credential refused")
        return {"isAuthorized": False}
    return {
        "isAuthorized": True,
        "context": channel.model_dump(by_alias=True, mode="json"),
    }
