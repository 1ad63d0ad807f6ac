"""From the operations queue to one synchronous run of the order-operation workflow."""

import hashlib
import json
import uuid

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.models import OperationMessage
from ordersync.core.settings import get_settings
from ordersync.operations import leases
from ordersync.operations.backoff import backoff_seconds
from ordersync.operations.leases import Lease
from ordersync.operations.models import RecordedOutcome, WorkflowInput

logger = Logger(child=True)

# Longer than the dispatcher's timeout, so a lease outlives the run that took it.
LEASE_SECONDS = 150
DUPLICATE_DELAY_SECONDS = 5


class RetryLater(Exception):
    """The run ended in a transient failure; SQS redelivers the message after the backoff."""


class WorkflowFailed(Exception):
    """The workflow itself failed (not the platform): SQS redelivers with the queue's timeout."""


def run_workflow(workflow_input: WorkflowInput) -> RecordedOutcome:
    message = workflow_input.message
    response = aws.stepfunctions().start_sync_execution(
        stateMachineArn=get_settings().state_machine_arn,
        # Unique per run: a redriven message starts again at receive count 1.
        name=f"{message.operation_id}-{workflow_input.receive_count}-{uuid.uuid4().hex[:8]}",
        input=workflow_input.model_dump_json(by_alias=True),
    )
    if response["status"] != "SUCCEEDED":
        raise WorkflowFailed(
            f"{response['status']}: {response.get('error')}: {response.get('cause', '')[:500]}"
        )
    return RecordedOutcome.model_validate(json.loads(response["output"]))


def dispatch(record: SQSRecord) -> RecordedOutcome | None:
    """Run the operation once; None if it had finished already. RetryLater if it runs again."""
    message = OperationMessage.model_validate_json(record.body)
    receive_count = int(record.attributes.approximate_receive_count or 1)
    logger.append_keys(operation_id=message.operation_id)
    settings = get_settings()
    # SQS delivers at least once: a second copy must not run alongside the first. The holder is
    # this receive; a duplicate delivery shares the message id but not the receipt handle.
    holder = hashlib.sha256(record.receipt_handle.encode()).hexdigest()[:32]
    lease = leases.acquire(message.operation_id, holder, LEASE_SECONDS)
    if lease is Lease.FINISHED:
        # A repeated message (or a copy the sweeper sent) after the operation finished.
        logger.info("operation already finished; message acknowledged without a run")
        return None
    if lease is Lease.HELD:
        _postpone(record, DUPLICATE_DELAY_SECONDS)
        raise RetryLater(f"{message.operation_id} is being run by another delivery")
    try:
        result = run_workflow(
            WorkflowInput(
                message=message, receive_count=receive_count, retry_budget=settings.retry_budget
            )
        )
    finally:
        leases.release(message.operation_id, holder)
    if result.disposition == "done":
        return result
    if result.disposition == "dead_letter":
        # Recorded as skipped already; moving it ourselves keeps that record true (SQS's own
        # maxReceiveCount would move it silently, on a receive we never see).
        aws.sqs().send_message(QueueUrl=settings.dead_letter_queue_url, MessageBody=record.body)
        return result
    delay = result.retry_in_seconds or backoff_seconds(receive_count, result.retry_after_seconds)
    _postpone(record, delay)
    raise RetryLater(f"{result.code}: next run in {delay}s")


def _postpone(record: SQSRecord, delay: int) -> None:
    try:
        aws.sqs().change_message_visibility(
            QueueUrl=get_settings().operations_queue_url,
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=delay,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ReceiptHandleIsInvalid":
            raise
        # Another receive of this message holds it now; that one decides when it comes back.
        logger.warning("message received again meanwhile", extra={"message_id": record.message_id})
