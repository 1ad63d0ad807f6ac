"""The exports queue to the export job: one job per message, its file written into S3."""

import json
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.exports.service import run_job

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _record_handler(record: SQSRecord) -> str:
    job = json.loads(record.body)
    logger.append_keys(export_id=job["exportId"])
    ended = run_job(job["merchantId"], job["exportId"])
    return ended.value if ended else "nothing to run"


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record_handler, processor=processor, context=context
    )
