"""The daily order-sync report on moto: the orders of the last 24 hours read through the
orders-by-day index, the email SES kept with its CSV file parsed by the csv module, the scope,
the merchant's local send time and once a day."""

import csv
import importlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import boto3
import pytest

from local.lambdas import LambdaContext
from ordersync.core.aws import reset_clients
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore
from ordersync.reports.models import ReportScope, ReportSettings
from ordersync.reports.service import send_due
from ordersync.reports.store import ReportStore
from tests.integration.conftest import Stack
from tests.integration.notifications_support import (
    BASE_URL,
    SENDER,
    forget_sent,
    part,
    sent_emails,
)

report_function = importlib.import_module("functions.report.app")

# 08:00 in Paris (UTC+1 in November) is 07:00 UTC.
SENT_AT = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
HEADER = ["Order id", "Distributor name", "Account ID", "Delivery Date", "Placed At Date", "Status"]


@pytest.fixture
def mail(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    reset_clients()
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)
    forget_sent()
    yield
    forget_sent()


def _settings(merchant_id: str = "m1", **changes: Any) -> None:
    values = {
        "send_time": "08:00",
        "time_zone": "Europe/Paris",
        "recipients": ["ops@m1.test", "boss@m1.test"],
        **changes,
    }
    ReportStore().put(merchant_id, ReportSettings(**values))


def _order(accepted, status: OperationStatus, ago: timedelta, **payload: Any) -> str:
    body = {"placedAt": "2026-11-28T21:15:00Z", **payload}
    message = accepted(body, accepted_at=SENT_AT - ago, **payload.pop("overrides", {}))
    if status is not OperationStatus.PENDING:
        OperationStore().record(
            message.operation_id, status=status, attempts=1, outcome=None, where="test"
        )
    return str(message.order_id)


def _attachment(message: Message) -> tuple[str, list[list[str]]]:
    [attached] = [p for p in message.walk() if p.get_filename()]
    assert attached.get_content_type() == "text/csv"
    raw = attached.get_payload(decode=True)
    assert isinstance(raw, bytes)
    # RFC 4180: CRLF after every record.
    assert raw.endswith(b"\r\n")
    assert b"\r\n" in raw.rstrip(b"\r\n")
    return str(attached.get_filename()), list(csv.reader(io.StringIO(raw.decode(), newline="")))


@pytest.fixture
def orders(mail, accepted) -> dict[str, str]:
    """m1's orders of the last day in each status, and what the report must leave out."""
    made = {
        "synced": _order(
            accepted,
            OperationStatus.SYNCED,
            timedelta(hours=3),
            accountId="ACC-7, north",
            deliveryDate="2026-12-02",
        ),
        "failed": _order(accepted, OperationStatus.FAILED, timedelta(hours=5)),
        "verification": _order(accepted, OperationStatus.PENDING_VERIFICATION, timedelta(hours=9)),
        "queued": _order(accepted, OperationStatus.QUEUED, timedelta(hours=20)),
        "retrying": _order(accepted, OperationStatus.PENDING, timedelta(hours=1)),
        "by hand": _order(accepted, OperationStatus.MANUALLY_SYNCED, timedelta(hours=2)),
        # From a channel, so it could be a formula a spreadsheet would run.
        "formula": _order(
            accepted,
            OperationStatus.SKIPPED,
            timedelta(hours=23),
            overrides={"order_id": '=HYPERLINK("http://evil.test")', "channel_id": "+mall"},
        ),
    }
    # Left out: older than a day, another merchant's, and an operation that is not an order.
    made["old"] = _order(accepted, OperationStatus.FAILED, timedelta(hours=25))
    made["theirs"] = _order(
        accepted, OperationStatus.FAILED, timedelta(hours=2), overrides={"merchant_id": "m2"}
    )
    accepted({}, operation="shipment", accepted_at=SENT_AT - timedelta(hours=1))
    return made


def test_the_report_lists_the_days_orders_with_their_columns_and_status(orders) -> None:
    _settings()
    sent = send_due(moment=SENT_AT)
    assert (sent.reports, sent.emails, sent.merchants) == (1, 2, ["m1"])
    emails = sent_emails()
    assert sorted(m["To"] for m in emails) == ["boss@m1.test", "ops@m1.test"]
    message = emails[0]
    assert message["Subject"] == "Daily Order Sync Status Report"
    assert message["List-Unsubscribe"].startswith(f"<{BASE_URL}/unsubscribe/")
    assert "7 orders in the 24 hours up to 2026-11-29 08:00 (Europe/Paris)" in part(
        message, "plain"
    )
    assert "Pending Verification" in part(message, "html")
    name, rows = _attachment(message)
    assert name == "order-sync-report-2026-11-29.csv"
    assert rows[0] == HEADER
    by_order = {row[0]: row for row in rows[1:]}
    assert len(rows) == 8
    assert by_order[orders["synced"]] == [
        orders["synced"],
        "shop",
        "ACC-7, north",  # quoted in the file, one cell again once parsed
        "2026-12-02",
        "2026-11-28T22:15:00+01:00",  # placed at, in the report's zone
        "Synced",
    ]
    statuses = {key: by_order[orders[key]][5] for key in orders if orders[key] in by_order}
    assert statuses == {
        "synced": "Synced",
        "by hand": "Synced",
        "failed": "Failed",
        "verification": "Pending Verification",
        "queued": "Queued",
        "retrying": "Queued",
    }
    neutralised = by_order["'" + orders["formula"]]
    assert (neutralised[1], neutralised[5]) == ("'+mall", "Failed")
    assert orders["old"] not in by_order
    assert orders["theirs"] not in by_order


def test_the_failed_scope_keeps_every_order_not_synced(orders) -> None:
    _settings(scope=ReportScope.FAILED)
    send_due(moment=SENT_AT)
    _, rows = _attachment(sent_emails()[0])
    assert sorted(row[5] for row in rows[1:]) == [
        "Failed",
        "Failed",
        "Pending Verification",
        "Queued",
        "Queued",
    ]
    assert "5 orders not synced in the 24 hours" in part(sent_emails()[0], "plain")


def test_it_goes_at_the_local_send_time_once_a_day(mail) -> None:
    _settings()
    _settings("m-ny", time_zone="America/New_York", recipients=["ny@m.test"])
    _settings("m-off", recipients=[], send_time="00:00")
    assert send_due(moment=SENT_AT - timedelta(minutes=1)).reports == 0  # 07:59 in Paris
    assert send_due(moment=SENT_AT).merchants == ["m1"]  # 08:00 in Paris, 02:00 in New York
    assert send_due(moment=SENT_AT + timedelta(minutes=15)).reports == 0  # sent today already
    # Moving the time does not send today's again.
    _settings(send_time="08:30")
    assert send_due(moment=SENT_AT + timedelta(minutes=45)).reports == 0
    assert send_due(moment=SENT_AT + timedelta(hours=6)).merchants == ["m-ny"]  # 08:00 there
    assert send_due(moment=SENT_AT + timedelta(days=1)).reports == 0  # 08:00: before 08:30
    assert send_due(moment=SENT_AT + timedelta(days=1, minutes=30)).merchants == ["m1"]
    assert len(sent_emails()) == 5  # m1's two recipients on each day, New York's one


class FailingMailer:
    def send(self, message: Any, to_email: str) -> str:
        raise RuntimeError("SES is down")


def test_a_report_that_could_not_go_is_tried_again_by_the_next_run(mail) -> None:
    _settings()
    failed = send_due(moment=SENT_AT, mailer=FailingMailer())
    assert (failed.reports, failed.failures) == (0, 1)
    assert send_due(moment=SENT_AT + timedelta(minutes=15)).merchants == ["m1"]


def test_the_function_runs_on_its_schedule_and_sends_every_report_when_asked(
    orders, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ordersync.reports.service.now", lambda: SENT_AT)
    _settings()
    _settings("m2", send_time="23:45", recipients=["m2@m2.test"])
    context = LambdaContext(function_name="report", timeout_seconds=300)
    # Now: whatever the time, each merchant with a recipient, and it does not count as the day's.
    answer = report_function.lambda_handler({"sendNow": True}, context)
    assert (answer["reports"], answer["emails"]) == (2, 3)
    theirs = next(m for m in sent_emails() if m["To"] == "m2@m2.test")
    _, rows = _attachment(theirs)
    assert [row[0] for row in rows[1:]] == [orders["theirs"]]  # and in no one else's
    assert ReportStore().get("m2").send_time == "23:45"
    scheduled = report_function.lambda_handler({"detail-type": "Scheduled Event"}, context)
    assert (scheduled["merchants"], scheduled["failures"]) == (["m1"], 0)  # m2: 23:45


def test_each_recipient_can_stop_the_report_from_its_link_without_signing_in(mail) -> None:
    from tests.integration.test_resolve_page import request

    _settings()
    send_due(moment=SENT_AT)
    to_ops = next(m for m in sent_emails() if m["To"] == "ops@m1.test")
    link = to_ops["List-Unsubscribe"].strip("<>")
    assert link in part(to_ops, "plain")
    path = link.removeprefix(BASE_URL)
    shown = request("GET", path)  # a mail scanner opening it changes nothing
    assert shown["statusCode"] == 200
    assert "Stop the daily order sync report to ops@m1.test?" in shown["body"]
    assert ReportStore().get("m1").recipients == ["ops@m1.test", "boss@m1.test"]
    done = request("POST", path)
    assert done["statusCode"] == 200
    assert "The daily order sync report no longer goes to ops@m1.test" in done["body"]
    assert ReportStore().get("m1").recipients == ["boss@m1.test"]
    # The alerts' own link is another purpose: this one turned no alert email off.
    forged = request("POST", path[:-1] + ("A" if path[-1] != "A" else "B"))
    assert forged["statusCode"] == 403
