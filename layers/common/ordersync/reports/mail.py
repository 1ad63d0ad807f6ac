"""The report as an email: a short summary (HTML and text, Jinja2) and the CSV file attached,
one MIME message (the stdlib email package) per recipient, each with its own link that takes
that address off the report."""

import io
from collections import Counter
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from ordersync.exports.writers import CsvWriter
from ordersync.notifications.ledger import Ledger
from ordersync.notifications.render import compose
from ordersync.notifications.settings import link_settings
from ordersync.notifications.tokens import issue_report_unsubscribe
from ordersync.reports.models import ReportRow, ReportScope, SyncStatus

SUBJECT = "Daily Order Sync Status Report"
COLUMNS = (
    "Order id",
    "Distributor name",
    "Account ID",
    "Delivery Date",
    "Placed At Date",
    "Status",
)
CSV_TYPE = ("text", "csv")


def report_csv(rows: list[ReportRow], zone: ZoneInfo) -> bytes:
    """RFC 4180 (exports' CSV writer: CRLF, minimal quoting, every text cell neutralised
    against spreadsheet formulas); Placed At Date in the report's zone, with its offset."""
    sink = io.BytesIO()
    writer = CsvWriter(sink, COLUMNS)
    for row in rows:
        placed = row.placed_at and row.placed_at.astimezone(zone).isoformat(timespec="seconds")
        writer.row(
            [
                row.order_id,
                row.distributor,
                row.account_id,
                row.delivery_date,
                placed,
                row.status.value,
            ]
        )
    writer.close()
    return sink.getvalue()


def compose_report(
    merchant_id: str,
    to_email: str,
    rows: list[ReportRow],
    *,
    scope: ReportScope,
    until: datetime,
    zone: ZoneInfo,
    ledger: Ledger,
) -> EmailMessage:
    local_until = until.astimezone(zone)
    counts = Counter(row.status for row in rows)
    token = issue_report_unsubscribe(merchant_id, to_email, ledger)
    message = compose(
        "report",
        subject=SUBJECT,
        to_name="",
        to_email=to_email,
        unsubscribe_url=f"{link_settings().public_base_url}/unsubscribe/{token}",
        merchant_id=merchant_id,
        total=len(rows),
        counts=[(status.value, counts[status]) for status in SyncStatus],
        scope=scope.value,
        until=local_until.strftime("%Y-%m-%d %H:%M"),
        zone=zone.key,
    )
    message.add_attachment(
        report_csv(rows, zone),
        maintype=CSV_TYPE[0],
        subtype=CSV_TYPE[1],
        filename=f"order-sync-report-{local_until.date().isoformat()}.csv",
    )
    return message
