"""Deliver one order-create operation to the merchant's platform (a state-machine task)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from ordersync.delivery import deliver
from ordersync.models import OperationMessage

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    message = OperationMessage.model_validate(event["message"])
    logger.append_keys(operation_id=message.operation_id)
    return deliver(message)
