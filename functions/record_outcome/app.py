"""Record how a workflow run ended: the operation's status and its entity's alert (a task)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.operations.models import WorkflowInput
from ordersync.operations.outcomes import record_outcome

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    workflow_input = WorkflowInput.model_validate(event)
    logger.append_keys(operation_id=workflow_input.message.operation_id)
    return record_outcome(workflow_input).model_dump(by_alias=True, mode="json")
