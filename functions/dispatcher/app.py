"""SQS operations queue to the order-operation workflow (started, not waited for), reporting
partial batch failures for the messages whose run could not start."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.operations.dispatch import RetryLater, dispatch

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()
# Every record not started sets its own visibility, so even an all-failed batch is answered per
# record.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _record_handler(record: SQSRecord, lambda_context: LambdaContext) -> str:
    try:
        # A run starts only with time left to start it; the rest of the batch goes back
        # unstarted, as partial failures.
        return dispatch(record, lambda_context.get_remaining_time_in_millis) or "sent afresh"
    except RetryLater:
        raise
    except Exception:
        # Not a platform failure: the workflow or ordersync itself. SQS redelivers it.
        logger.exception("dispatch failed", extra={"message_id": record.message_id})
        raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record_handler, processor=processor, context=context
    )
