"""The alerts table's stream: an alert that newly waits for a person, or an order newly
unsynced (queued, pending verification), is emailed or put into its recipients' digests
(ordersync.notifications)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.notifications.changes import tell
from ordersync.notifications.recipients import read_once_per_batch

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _record_handler(record: DynamoDBRecord) -> str:
    return tell(record.raw_event)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with read_once_per_batch():
        return process_partial_response(
            event=event, record_handler=_record_handler, processor=processor, context=context
        )
