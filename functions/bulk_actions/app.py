"""A bulk action by filter, one part per message of the bulk-actions queue
(`ordersync.actions.jobs`): act on the matches page by page, queue the rest when time runs short."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.actions.jobs import JobTask, run_part
from ordersync.core.pii import PiiMaskingFormatter

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _record_handler(record: SQSRecord, lambda_context: LambdaContext) -> str:
    task = JobTask.model_validate_json(record.body)
    logger.append_keys(job_id=task.job_id, merchant_id=task.merchant_id)
    job = run_part(task, lambda: lambda_context.get_remaining_time_in_millis() / 1000)
    logger.info("bulk part done", extra={"status": job.status, "matched": job.matched})
    return job.status


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record_handler, processor=processor, context=context
    )
