"""Emails per 1,000 failing orders, measured: a burst of orders that each need a person, all
within one minute, through the real path (the alert policy writes each alert, the alerts
table's stream hands every change to the notifier's rule and service, SES sends), then the
digest run at the window's end. Counted from moto's SES store, beside the bound
(recipients x windows x 2: one immediate email and one digest each).

Usage: python -m bench.email_burst [--orders 1000] [--contacts 2]
"""

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from local.streams import TableStream
from local.template import LocalTemplate

REGION = "us-east-1"
MERCHANT = "bench-merchant"
TABLES = {
    "ALERTS_TABLE": "AlertsTable",
    "HISTORY_TABLE": "HistoryTable",
    "CONFIG_TABLE": "ConfigTable",
    "OPERATIONS_TABLE": "OperationsTable",
    "ORDERS_TABLE": "OrdersTable",
    "SIGNATURES_TABLE": "SignaturesTable",
    "NOTIFICATIONS_TABLE": "NotificationsTable",
}


def _stack() -> None:
    """The template's tables on moto, named in this process's environment."""
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    body = json.dumps(LocalTemplate.load().cloudformation({"Stage": "bench"}))
    cloudformation.create_stack(
        StackName="bench", TemplateBody=body, Capabilities=["CAPABILITY_AUTO_EXPAND"]
    )
    summaries = cloudformation.list_stack_resources(StackName="bench")["StackResourceSummaries"]
    physical = {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}
    os.environ.update({variable: physical[logical] for variable, logical in TABLES.items()})


def measure(orders: int, contacts: int) -> dict[str, Any]:
    from moto.ses.models import ses_backends

    from ordersync.alerts import policy
    from ordersync.catalog.codes import outcome
    from ordersync.core.aws import reset_clients
    from ordersync.core.models import OperationMessage
    from ordersync.notifications.ledger import Ledger, window_minutes, window_of
    from ordersync.notifications.models import Contact, Frequency, StoredSettings
    from ordersync.notifications.recipients import SettingsStore
    from ordersync.notifications.rules import newly_waiting
    from ordersync.notifications.service import notify, send_digests

    _stack()
    reset_clients()
    boto3.client("ses", region_name=REGION).verify_email_identity(
        EmailAddress=os.environ["SENDER_EMAIL"]
    )
    listed = [Contact(name=f"Desk {n}", email=f"desk{n}@bench.test") for n in range(contacts)]
    SettingsStore().put(MERCHANT, StoredSettings(contacts=listed))
    stream = TableStream(os.environ["ALERTS_TABLE"])
    ledger = Ledger()
    start = datetime(2026, 11, 29, 10, 5, tzinfo=UTC)
    for number in range(orders):
        message = OperationMessage(
            operation_id=f"op-{number}",
            operation="shipment",
            merchant_id=MERCHANT,
            integration_id="erp",
            channel_id="shop",
            order_id=f"B-{number}",
            accepted_at=start,
            payload={},
        )
        made = outcome("Missing Shipping Data", order_id=message.order_id, reference="S-1")
        policy.record(message, made, next_step="waiting for a person", attempts=1)
    moment = start
    for record in stream.read(orders * 2):
        alert = newly_waiting(record)
        if alert is not None:
            notify(alert, ledger=ledger, moment=moment)
        moment += timedelta(seconds=60 / orders)  # the burst spans one minute
    immediate = len(ses_backends["123456789012"][REGION].sent_messages)
    window_end = window_of(moment, window_minutes(Frequency.IMMEDIATE))[1]
    digests = send_digests(ledger=ledger, moment=window_end).digests
    sent = len(ses_backends["123456789012"][REGION].sent_messages)
    windows = 1 + (window_of(start, 60)[0] != window_of(moment, 60)[0])
    return {
        "orders": orders,
        "recipients": contacts,
        "windows": windows,
        "immediate": immediate,
        "digests": digests,
        "emails": sent,
        "emails_per_1000_failing_orders": round(sent * 1000 / orders, 2),
        "bound": contacts * windows * 2,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.email_burst", description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=2)
    args = parser.parse_args()
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
        SENDER_EMAIL="alerts@example.com",
        PUBLIC_BASE_URL="https://alerts.ordersync.test",
    )
    with mock_aws():
        result = measure(args.orders, args.contacts)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
