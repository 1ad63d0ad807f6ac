"""Tell the merchant platform's callback how an operation ended (a state-machine task)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.callbacks.sender import post_callback
from ordersync.core.models import OperationMessage
from ordersync.core.pii import PiiMaskingFormatter
from ordersync.operations.models import RecordedOutcome

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore", "httpx"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    message = OperationMessage.model_validate(event["message"])
    logger.append_keys(operation_id=message.operation_id)
    sent = post_callback(message, RecordedOutcome.model_validate(event["recorded"]))
    return {"code": sent.code if sent else None}
