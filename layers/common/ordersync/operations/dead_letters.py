"""One dead-letter copy per skip. The run that spends an operation's schedule records it as
skipped (with the moment, `skippedAt`); the dispatcher then sends exactly one copy to the
dead-letter queue, stamped with that moment, and marks it sent (`dlqSent`). Any other copy of
the message that comes along later (one a timed-out batch gave back, a duplicate delivery) is
acknowledged without a run, or, if the copy was never sent (the send failed), becomes it.
So every message in the dead-letter queue is one skipped operation, and a redrive runs each
once."""

from datetime import datetime

from aws_lambda_powertools import Logger

from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.dynamo import Update
from ordersync.core.models import OperationMessage
from ordersync.core.settings import get_settings
from ordersync.operations.records import OperationStore, operation_key

logger = Logger(child=True)


def send(message: OperationMessage, skipped_at: datetime | str) -> bool:
    """Send the operation's dead-letter copy for the skip at `skipped_at`, unless it was sent
    already; False then. A failed send is undone, so the next copy of the message retries it."""
    stamp = skipped_at if isinstance(skipped_at, str) else iso(skipped_at)
    store = OperationStore()
    claimed = (
        Update()
        .set("dlqSent", stamp)
        .when("attribute_not_exists(dlqSent) OR dlqSent <> :stamp", stamp=stamp)
        .apply(store.table, operation_key(message.operation_id))
    )
    if not claimed.done:
        logger.info("dead-letter copy sent already; this copy is acknowledged")
        return False
    copy = message.model_copy(
        update={"dead_letter_of": datetime.fromisoformat(stamp), "not_before": None}
    )
    try:
        aws.sqs().send_message(
            QueueUrl=get_settings().dead_letter_queue_url,
            MessageBody=copy.model_dump_json(by_alias=True),
        )
    except Exception:
        Update().remove("dlqSent").when("dlqSent = :stamp", stamp=stamp).apply(
            store.table, operation_key(message.operation_id)
        )
        raise
    return True
