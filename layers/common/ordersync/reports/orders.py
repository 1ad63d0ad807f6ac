"""A merchant's orders of the last 24 hours, as the report lists them: the create operations
the channels sent, found through the operations table's sparse `orders-by-day` index (one
Query per UTC day the window touches, keys only) and read by key (BatchGetItem), never a Scan.
An order's status is its create operation's, in the report's four words."""

from datetime import datetime, timedelta
from typing import Any

from ordersync.core import aws
from ordersync.core.clock import iso
from ordersync.core.compression import unpack_json
from ordersync.core.dynamo import from_item
from ordersync.history.paging import fetch
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore, order_day
from ordersync.reports.models import ReportRow, ReportScope, SyncStatus

WINDOW = timedelta(hours=24)
INDEX = "orders-by-day"

STATUS = {
    OperationStatus.SYNCED: SyncStatus.SYNCED,
    OperationStatus.MANUALLY_SYNCED: SyncStatus.SYNCED,
    OperationStatus.PENDING_VERIFICATION: SyncStatus.PENDING_VERIFICATION,
    # Accepted and not on the platform yet: waiting in the queue, being retried, or flagged by
    # the sweeper for not running in time.
    OperationStatus.QUEUED: SyncStatus.QUEUED,
    OperationStatus.PENDING: SyncStatus.QUEUED,
    OperationStatus.BLOCKED: SyncStatus.QUEUED,
    # Not synced, and nothing will sync it without a person: failed, its retries spent (in the
    # dead-letter queue), or its alert ignored.
    OperationStatus.FAILED: SyncStatus.FAILED,
    OperationStatus.SKIPPED: SyncStatus.FAILED,
    OperationStatus.IGNORED: SyncStatus.FAILED,
}


def _days(since: datetime, until: datetime) -> list[datetime]:
    days, day = [], since
    while day.date() <= until.date():
        days.append(day)
        day += timedelta(days=1)
    return days


def _entries(table: str, merchant_id: str, since: datetime, until: datetime) -> list[Any]:
    entries: list[Any] = []
    paginator = aws.dynamodb().get_paginator("query")
    for day in _days(since, until):
        pages = paginator.paginate(
            TableName=table,
            IndexName=INDEX,
            KeyConditionExpression="orderDay = :day AND acceptedAt BETWEEN :since AND :until",
            ExpressionAttributeValues={
                ":day": {"S": order_day(merchant_id, day)},
                ":since": {"S": iso(since)},
                ":until": {"S": iso(until)},
            },
        )
        for page in pages:
            entries += page.get("Items", [])
    return entries


def _row(values: dict[str, Any]) -> ReportRow:
    payload = unpack_json(values["payloadZ"])
    return ReportRow(
        order_id=values["orderId"],
        distributor=values["channelId"],
        account_id=payload.get("accountId"),
        delivery_date=payload.get("deliveryDate"),
        placed_at=payload.get("placedAt"),
        status=STATUS[OperationStatus(values["status"])],
    )


def report_rows(
    merchant_id: str,
    until: datetime,
    scope: ReportScope = ReportScope.ALL,
    store: OperationStore | None = None,
) -> list[ReportRow]:
    """The merchant's orders accepted in the 24 hours up to `until`, oldest first; with the
    `failed` scope, only those not synced."""
    table = (store or OperationStore()).table
    since = until - WINDOW
    items = fetch(table, _entries(table, merchant_id, since, until), ("operationId",))
    rows = [_row(from_item(item)) for item in items]
    if scope is ReportScope.FAILED:
        rows = [row for row in rows if row.status is not SyncStatus.SYNCED]
    return rows
