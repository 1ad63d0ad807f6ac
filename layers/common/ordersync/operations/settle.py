"""What follows a run's outcome, done by the workflow's last task: the dispatcher starts each
run and does not wait for it (StartExecution; it paid for the whole wait with StartSyncExecution).

A retry's next run is a fresh message, delayed (`not_before`: the dispatcher hides it until then
with its visibility); a skip sends the one dead-letter copy; an order's creation releases the
follow-ups it blocked. An execution that ran nothing (a copy of a finished or skipped operation,
a twin of a running execution) does what the dispatcher did for such a copy."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.models import OperationMessage, OperationType
from ordersync.core.settings import get_settings
from ordersync.operations import blocking, dead_letters
from ordersync.operations.models import NotRun, OperationStatus, RecordedOutcome
from ordersync.orders.repository import OrderStore

logger = Logger(child=True)

# An order is on the platform once its creation ends in these.
ORDER_EXISTS = frozenset({OperationStatus.SYNCED, OperationStatus.PENDING_VERIFICATION})
# SQS delays a new message by at most 15 minutes.
MAX_DELAY_SECONDS = 900


def after_run(message: OperationMessage, recorded: RecordedOutcome) -> None:
    """What the recorded outcome asks for next. The retry's message goes last: a retry of this
    task after it was sent would send a second (whose run would find the lease or an early
    turn, never a second delivery beside the first)."""
    if recorded.disposition == "blocked":
        # The order may have been created between this run's look and its record: then its
        # creation's release may have missed this operation.
        release_if_created(message)
    elif recorded.disposition == "done":
        if message.operation is OperationType.CREATE and recorded.status in ORDER_EXISTS:
            blocking.release(message)
    elif recorded.disposition == "dead_letter":
        # Recorded as skipped already; moving it ourselves keeps that record true (SQS's own
        # maxReceiveCount would move it silently, on a receive we never see).
        dead_letters.send(message, recorded.skipped_at or now())
        if message.operation is OperationType.CREATE:
            blocking.note_order_skipped(message)
    elif recorded.disposition == "retry":
        send_afresh(message, recorded.retry_in_seconds or 1)


def not_run(message: OperationMessage, delivery: dict[str, Any]) -> RecordedOutcome:
    """The delivery task found nothing to run (`delivery["notRun"]`)."""
    why: NotRun = delivery["notRun"]
    if why == "finished":
        # A repeated message (or a copy the sweeper sent) after the operation finished. If it
        # was its order's creation, whatever it blocked may not have been released yet.
        logger.info("operation already finished; nothing run")
        if message.operation is OperationType.CREATE:
            release_if_created(message)
    elif why == "stale":
        if not delivery.get("deadLettered") and delivery.get("skippedAt"):
            dead_letters.send(message, delivery["skippedAt"])  # the skip's own send had failed
        logger.info("a copy of a skipped operation; its dead-letter copy carries it")
    else:
        # Another execution holds the run: it records the outcome and sends what follows.
        logger.info("the operation is being run by another execution")
    return RecordedOutcome(disposition="not_run", not_run=why, code="Not Run")


def unleased(message: OperationMessage, delay: int) -> RecordedOutcome:
    """The delivery failed before it could take the run lease (Lambda failing on every try):
    nothing ran, and the queue's message is gone, so a fresh one carries the operation."""
    logger.warning("delivery failed before taking the run; sent to the queue again")
    send_afresh(message, delay)
    return RecordedOutcome(disposition="not_run", not_run="unleased", code="Not Run")


def release_if_created(message: OperationMessage) -> None:
    state = OrderStore().get(
        message.merchant_id, message.integration_id, message.channel_id, message.order_id
    )
    if state is not None:
        blocking.release(message)


def send_afresh(message: OperationMessage, delay: int) -> None:
    """A new message for the operation's next run, due in `delay` seconds: SQS delays it up to
    15 minutes, and the dispatcher hides it (its visibility) until `not_before` beyond that."""
    due = now() + timedelta(seconds=delay)
    fresh = message.model_copy(update={"not_before": due})
    aws.sqs().send_message(
        QueueUrl=get_settings().operations_queue_url,
        MessageBody=fresh.model_dump_json(by_alias=True),
        DelaySeconds=min(MAX_DELAY_SECONDS, delay),
    )
    logger.info("next run sent as a fresh message", extra={"due": due.isoformat()})
