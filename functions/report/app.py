"""Scheduled every 15 minutes: the daily reports whose local send time has come
(ordersync.reports). Invoked with {"sendNow": true}, every merchant's report at once."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from ordersync.core.pii import PiiMaskingFormatter
from ordersync.reports.service import send_due, send_now

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer(patch_modules=["botocore"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sent = send_now() if event.get("sendNow") is True else send_due()
    return {
        "reports": sent.reports,
        "emails": sent.emails,
        "failures": sent.failures,
        "merchants": sent.merchants,
    }
