"""Scheduled: the digests due at the end of each window, of alerts and of unsynced orders
(ordersync.notifications)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.notifications import unsynced
from ordersync.notifications.service import send_digests

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    sent, unsynced_sent = send_digests(), unsynced.send_digests()
    return {
        "digests": sent.digests,
        "recipients": len(sent.recipients),
        "unsyncedDigests": unsynced_sent.digests,
    }
