"""From the operations queue to one synchronous run of the order-operation workflow."""

import base64
import contextlib
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from ordersync.config.repository import config_store
from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.models import OperationMessage, OperationType
from ordersync.core.settings import get_settings
from ordersync.operations import blocking, dead_letters, inflight, leases
from ordersync.operations.backoff import MAX_VISIBILITY_SECONDS, backoff_seconds
from ordersync.operations.leases import Lease
from ordersync.operations.models import OperationStatus, RecordedOutcome, WorkflowInput
from ordersync.orders.repository import OrderStore

logger = Logger(child=True)

# What a dispatcher does around one workflow run (the lease, releasing what the run
# unblocked, the dead-letter copy, postponing): time it needs beyond the workflow's own limit.
AROUND_A_RUN_SECONDS = 15
DUPLICATE_DELAY_SECONDS = 5
# The longest a message waits for a place under its integration's limit before looking again.
MAX_PLACE_WAIT_SECONDS = 60
# An order is on the platform once its creation ends in these.
ORDER_EXISTS = frozenset({OperationStatus.SYNCED, OperationStatus.PENDING_VERIFICATION})
# SQS delays a new message by at most 15 minutes.
MAX_DELAY_SECONDS = 900
# A message is sent afresh when its next run would come this close to the retention limit, or
# after this many receives (half the queue's maxReceiveCount in template.yaml).
RETENTION_MARGIN_SECONDS = 6 * 3600
FRESH_AFTER_RECEIVES = 100


class RetryLater(Exception):
    """The run ended in a transient failure; SQS redelivers the message after the backoff."""


class NotStarted(RetryLater):
    """Too little of the dispatcher's time was left to start a run: given back unstarted."""


def lease_seconds() -> int:
    """A run lease outlives the run that took it: the workflow's limit and what surrounds it."""
    return get_settings().workflow_timeout_seconds + AROUND_A_RUN_SECONDS


def start_budget_ms() -> int:
    """The time a dispatcher must have left to start a run: the longest a workflow may take
    (its state machine's TimeoutSeconds) and what it does around it."""
    return lease_seconds() * 1000


class WorkflowFailed(Exception):
    """The workflow itself failed (not the platform): SQS redelivers with the queue's timeout."""


def run_workflow(workflow_input: WorkflowInput) -> RecordedOutcome:
    message = workflow_input.message
    response = aws.stepfunctions().start_sync_execution(
        stateMachineArn=get_settings().state_machine_arn,
        # Unique per run: a redriven message starts again at receive count 1.
        name=f"{message.operation_id}-{workflow_input.run}-{uuid.uuid4().hex[:8]}",
        input=workflow_input.model_dump_json(by_alias=True),
    )
    if response["status"] != "SUCCEEDED":
        raise WorkflowFailed(
            f"{response['status']}: {response.get('error')}: {response.get('cause', '')[:500]}"
        )
    return RecordedOutcome.model_validate(json.loads(response["output"]))


def dispatch(
    record: SQSRecord, remaining_ms: Callable[[], int] | None = None
) -> RecordedOutcome | None:
    """Run the operation once; None if it had finished already. RetryLater if it runs again.

    `remaining_ms`: the dispatcher's time left (its Lambda context). A run is started only if
    the longest workflow still fits in it; otherwise the message goes back unstarted (NotStarted)
    and no run is counted, so a batch never outlives its function."""
    try:
        return _dispatch(record, remaining_ms)
    except (ClientError, BotoCoreError):
        # One of ordersync's own AWS calls failed (a throttled write, an SQS error): the message
        # comes back after a short backoff, not after the queue's whole visibility timeout. (A
        # message that cannot be read keeps that timeout, and its way to the DLQ.)
        receives = int(record.attributes.raw_event.get("ApproximateReceiveCount") or 1)
        with contextlib.suppress(ClientError, BotoCoreError):
            _postpone(record, backoff_seconds(receives))
        raise


def _dispatch(record: SQSRecord, remaining_ms: Callable[[], int] | None) -> RecordedOutcome | None:
    message = OperationMessage.model_validate_json(record.body)
    logger.append_keys(operation_id=message.operation_id)
    if remaining_ms is not None and remaining_ms() < start_budget_ms():
        _postpone(record, 0)  # visible again at once, for an invocation with time to run it
        raise NotStarted(f"{message.operation_id}: too little time left to start a workflow")
    if message.not_before is not None and message.not_before > now():
        # A retry sent afresh arrives within 15 minutes (SQS's longest delay): not due yet.
        _postpone(record, _seconds_until(message.not_before))
        raise RetryLater(f"{message.operation_id} is not due before {message.not_before}")
    # SQS delivers at least once: a second copy must not run alongside the first. The holder is
    # this receive; a duplicate delivery shares the message id but not the receipt handle. 128
    # bits as base64url (22 characters, not 32 in hex): the operation item holds it while the
    # run settles, and each byte counts toward keeping that item under one 1 KB write unit.
    digest = hashlib.sha256(record.receipt_handle.encode()).digest()[:16]
    holder = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    limit = _in_flight_limit(message)
    if limit is None:
        return _run_once(record, message, holder)
    if not inflight.acquire(
        message.merchant_id, message.integration_id, holder, limit=limit, seconds=lease_seconds()
    ):
        _wait_for_a_place(record, message, limit)
        return None  # sent afresh: this copy is done with
    try:
        return _run_once(record, message, holder)
    finally:
        inflight.release(message.merchant_id, message.integration_id, holder)


def _in_flight_limit(message: OperationMessage) -> int | None:
    integration = config_store().integration(message.merchant_id, message.integration_id)
    return integration.max_in_flight if integration else None


def _wait_for_a_place(record: SQSRecord, message: OperationMessage, limit: int) -> None:
    """Every place is held: wait without a run (nothing counted), a little longer the more
    often this message found them all held, jittered so the waiting do not come back at once."""
    receives = int(record.attributes.raw_event.get("ApproximateReceiveCount") or 1)
    delay = math.ceil(random.uniform(1, min(MAX_PLACE_WAIT_SECONDS, 2 ** min(receives, 6))))
    if _worn_out(record, delay):
        _send_afresh(message, delay)
        return
    _postpone(record, delay)
    raise RetryLater(f"{limit} runs of {message.integration_id} in flight; waits {delay}s")


def _run_once(record: SQSRecord, message: OperationMessage, holder: str) -> RecordedOutcome | None:
    taken = leases.acquire(
        message.operation_id, holder, lease_seconds(), dead_letter_of=message.dead_letter_of
    )
    if taken.lease is Lease.FINISHED:
        # A repeated message (or a copy the sweeper sent) after the operation finished. If it
        # was its order's creation, whatever it blocked may not have been released yet.
        logger.info("operation already finished; message acknowledged without a run")
        if message.operation is OperationType.CREATE:
            _release_if_created(message)
        return None
    if taken.lease is Lease.STALE:
        if not taken.dead_lettered and taken.skipped_at:
            dead_letters.send(message, taken.skipped_at)  # the skip's own send had failed
        logger.info("a copy of a skipped operation; its dead-letter copy carries it")
        return None
    if taken.lease is Lease.HELD:
        _postpone(record, DUPLICATE_DELAY_SECONDS)
        raise RetryLater(f"{message.operation_id} is being run by another delivery")
    try:
        result = run_workflow(WorkflowInput(message=message, run=taken.run, attempt=taken.attempt))
    except WorkflowFailed:
        _release(message, holder)
        # Timed out, or failed before its outcome was recorded: nothing says when to run again.
        _postpone(record, backoff_seconds(taken.run, None))
        raise
    except ClientError:
        # StartSyncExecution refused: no run started, so the run it counted is given back.
        _release(message, holder, started=False)
        raise
    except BaseException:
        _release(message, holder)
        raise
    if not result.lease_released:
        _release(message, holder)
    return _after_run(record, message, taken.run, result)


def _release(message: OperationMessage, holder: str, *, started: bool = True) -> None:
    # A lease not let go expires by itself (a copy of the message waits until then); failing
    # here would throw away what the run did.
    try:
        leases.release(message.operation_id, holder, started=started)
    except (ClientError, BotoCoreError):
        logger.warning("run lease not released; it expires by itself", exc_info=True)


def _after_run(
    record: SQSRecord, message: OperationMessage, run: int, result: RecordedOutcome
) -> RecordedOutcome:
    if result.disposition == "blocked":
        # The order may have been created between this run's look and its record: then its
        # creation's release may have missed this operation.
        _release_if_created(message)
        return result
    if result.disposition == "done":
        if message.operation is OperationType.CREATE and result.status in ORDER_EXISTS:
            blocking.release(message)
        return result
    if result.disposition == "dead_letter":
        # Recorded as skipped already; moving it ourselves keeps that record true (SQS's own
        # maxReceiveCount would move it silently, on a receive we never see).
        dead_letters.send(message, result.skipped_at or now())
        if message.operation is OperationType.CREATE:
            blocking.note_order_skipped(message)
        return result
    delay = result.retry_in_seconds or backoff_seconds(run, result.retry_after_seconds)
    if _worn_out(record, delay):
        _send_afresh(message, delay)
        return result  # this message is done with; its fresh copy carries the retry
    _postpone(record, delay)
    raise RetryLater(f"{result.code}: next run in {delay}s")


def _release_if_created(message: OperationMessage) -> None:
    state = OrderStore().get(
        message.merchant_id, message.integration_id, message.channel_id, message.order_id
    )
    if state is not None:
        blocking.release(message)


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


def _send_afresh(message: OperationMessage, delay: int) -> None:
    due = now() + timedelta(seconds=delay)
    fresh = message.model_copy(update={"not_before": due})
    aws.sqs().send_message(
        QueueUrl=get_settings().operations_queue_url,
        MessageBody=fresh.model_dump_json(by_alias=True),
        DelaySeconds=min(MAX_DELAY_SECONDS, delay),
    )
    logger.info("retry sent as a fresh message", extra={"due": due.isoformat()})


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
