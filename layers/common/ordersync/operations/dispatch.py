"""From the operations queue to one asynchronous run of the order-operation workflow: the
dispatcher starts the run and does not wait for it (the workflow's last task records the outcome
and sends what follows: operations.settle). The message is done with once its run has started;
partial batch failures remain for the messages whose run could not start or is not due yet."""

import math
import random
import uuid
from collections.abc import Callable
from datetime import datetime

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from ordersync.config.repository import config_store
from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.models import OperationMessage
from ordersync.core.settings import get_settings
from ordersync.operations import inflight, leases
from ordersync.operations.backoff import MAX_VISIBILITY_SECONDS, backoff_seconds
from ordersync.operations.models import WorkflowInput
from ordersync.operations.settle import send_afresh

logger = Logger(child=True)

# What a dispatcher must have left of its own time to start a run: reading the integration,
# taking a place, StartExecution (each a few hundred milliseconds at worst, with retries).
START_BUDGET_MS = 10_000
# The longest a message waits for a place under its integration's limit before looking again.
# Places given back while the waiting sleep stay empty: with a minute's cap, a burst's last few
# hundred messages came back so seldom that the integration's places sat idle for minutes.
MAX_PLACE_WAIT_SECONDS = 10
# A message is sent afresh when its next run would come this close to the retention limit, or
# after this many receives (half the queue's maxReceiveCount in template.yaml).
RETENTION_MARGIN_SECONDS = 6 * 3600
FRESH_AFTER_RECEIVES = 100


class RetryLater(Exception):
    """Not started now; SQS redelivers the message after its visibility timeout."""


class NotStarted(RetryLater):
    """Too little of the dispatcher's time was left to start a run: given back unstarted."""


def execution_name(message: OperationMessage) -> str:
    """Unique per start: the run lease's holder is drawn from it (a twin of the execution, which
    Step Functions may run, shares it and finds the lease held)."""
    return f"{message.operation_id}-{uuid.uuid4().hex[:12]}"


def start_workflow(message: OperationMessage, name: str) -> None:
    aws.stepfunctions().start_execution(
        stateMachineArn=get_settings().state_machine_arn,
        name=name,
        input=WorkflowInput(message=message).model_dump_json(by_alias=True, exclude_none=True),
    )


def dispatch(record: SQSRecord, remaining_ms: Callable[[], int] | None = None) -> str | None:
    """Start the operation's run; its execution's name, or None if the message was sent afresh
    to wait for a place. RetryLater if the message comes back later.

    `remaining_ms`: the dispatcher's time left (its Lambda context). A run is started only with
    time enough to start it; otherwise the message goes back unstarted (NotStarted)."""
    try:
        return _dispatch(record, remaining_ms)
    except (ClientError, BotoCoreError):
        # One of ordersync's own AWS calls failed (a throttled read, StartExecution refused):
        # the message comes back after a short backoff, not after the queue's whole visibility
        # timeout. (A message that cannot be read keeps that timeout, and its way to the DLQ.)
        receives = int(record.attributes.raw_event.get("ApproximateReceiveCount") or 1)
        try:
            _postpone(record, backoff_seconds(receives))
        except (ClientError, BotoCoreError):
            logger.warning("message not postponed; it comes back after its visibility timeout")
        raise


def _dispatch(record: SQSRecord, remaining_ms: Callable[[], int] | None) -> str | None:
    message = OperationMessage.model_validate_json(record.body)
    logger.append_keys(operation_id=message.operation_id)
    if remaining_ms is not None and remaining_ms() < START_BUDGET_MS:
        _postpone(record, 0)  # visible again at once, for an invocation with time to start it
        raise NotStarted(f"{message.operation_id}: too little time left to start a workflow")
    if message.not_before is not None and message.not_before > now():
        # A retry sent afresh arrives within 15 minutes (SQS's longest delay): not due yet.
        _postpone(record, _seconds_until(message.not_before))
        raise RetryLater(f"{message.operation_id} is not due before {message.not_before}")
    name = execution_name(message)
    limit = _in_flight_limit(message)
    if limit is None:
        start_workflow(message, name)
        return name
    # The place is held under the run's holder, so the workflow's last task gives it back (or
    # it expires with the run's lease, if the run never gets there).
    holder = leases.holder_of(name)
    if not inflight.acquire(
        message.merchant_id,
        message.integration_id,
        holder,
        limit=limit,
        seconds=leases.lease_seconds(),
    ):
        _wait_for_a_place(record, message, limit)
        return None  # sent afresh: this copy is done with
    try:
        start_workflow(message, name)
    except BaseException:
        inflight.release(message.merchant_id, message.integration_id, holder)
        raise
    return name


def _in_flight_limit(message: OperationMessage) -> int | None:
    integration = config_store().integration(message.merchant_id, message.integration_id)
    return integration.max_in_flight if integration else None


def _wait_for_a_place(record: SQSRecord, message: OperationMessage, limit: int) -> None:
    """Every place is held: wait without a run (nothing counted), a little longer the more
    often this message found them all held, jittered so the waiting do not come back at once."""
    receives = int(record.attributes.raw_event.get("ApproximateReceiveCount") or 1)
    delay = math.ceil(random.uniform(1, min(MAX_PLACE_WAIT_SECONDS, 2 ** min(receives, 6))))
    if _worn_out(record, delay):
        send_afresh(message, delay)
        return
    _postpone(record, delay)
    raise RetryLater(f"{limit} runs of {message.integration_id} in flight; waits {delay}s")


def _seconds_until(moment: datetime) -> int:
    return max(1, min(MAX_VISIBILITY_SECONDS, math.ceil((moment - now()).total_seconds())))


def _worn_out(record: SQSRecord, delay: int) -> bool:
    """Would the message still be waiting for its next run when SQS's retention deletes it (a
    retry schedule of 15 days outlasts the queue's retention of 4), or has it been received so
    often that the queue's maxReceiveCount, kept for messages that crash the dispatcher, would
    soon move it to the dead-letter queue behind our back?"""
    attributes = record.attributes.raw_event
    if int(attributes.get("ApproximateReceiveCount") or 1) >= FRESH_AFTER_RECEIVES:
        return True
    if "SentTimestamp" not in attributes:
        return False  # SQS always says; a hand-made record may not
    sent_ms = int(attributes["SentTimestamp"])
    due_ms = (now().timestamp() + delay + RETENTION_MARGIN_SECONDS) * 1000
    return due_ms - sent_ms > get_settings().operations_queue_retention_seconds * 1000


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
