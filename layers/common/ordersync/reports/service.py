"""Sending the daily reports. A rate schedule runs `send_due` every 15 minutes: a merchant's
report is due once the send time has come in its zone today and today's has not gone out; a
conditional update of the day it last went out (`claim_day`) makes that once a day even when
two runs overlap. `send_now` sends every merchant's report at once (`make report`), without
counting as the day's."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger

from ordersync.core.clock import now
from ordersync.notifications.ledger import Ledger
from ordersync.notifications.mailer import Mailer, SesMailer
from ordersync.reports.mail import compose_report
from ordersync.reports.orders import report_rows
from ordersync.reports.store import ReportStore, StoredReport

logger = Logger(child=True)


@dataclass
class Sent:
    reports: int = 0
    emails: int = 0
    failures: int = 0
    merchants: list[str] = field(default_factory=list)


def due_day(stored: StoredReport, moment: datetime) -> str | None:
    """The merchant's local day whose report is due at `moment`, or None. A wall-clock
    comparison in the zone: on the day a clock springs forward past the send time, the first
    run after it sends; on the day it falls back, the day already sent stops the repeat."""
    settings = stored.settings
    if not settings.enabled:
        return None
    local = moment.astimezone(ZoneInfo(settings.time_zone))
    if (local.hour, local.minute) < settings.hour_minute():
        return None
    day = local.date().isoformat()
    return None if stored.last_sent_on == day else day


def send_report(stored: StoredReport, moment: datetime, mailer: Mailer, ledger: Ledger) -> int:
    """The merchant's report of the 24 hours up to `moment`, to each recipient; emails sent."""
    settings = stored.settings
    rows = report_rows(stored.merchant_id, moment, settings.scope)
    zone = ZoneInfo(settings.time_zone)
    for to_email in settings.recipients:
        message = compose_report(
            stored.merchant_id,
            to_email,
            rows,
            scope=settings.scope,
            until=moment,
            zone=zone,
            ledger=ledger,
        )
        mailer.send(message, to_email)
    logger.info(
        "report sent",
        extra={
            "merchant": stored.merchant_id,
            "orders": len(rows),
            "recipients": len(settings.recipients),
        },
    )
    return len(settings.recipients)


def send_due(
    *,
    moment: datetime | None = None,
    mailer: Mailer | None = None,
    ledger: Ledger | None = None,
    store: ReportStore | None = None,
) -> Sent:
    mailer, ledger, store = mailer or SesMailer(), ledger or Ledger(), store or ReportStore()
    moment, sent = moment or now(), Sent()
    for stored in store.every():
        day = due_day(stored, moment)
        if day is None or not store.claim_day(stored.merchant_id, day):
            continue
        try:
            sent.emails += send_report(stored, moment, mailer, ledger)
        except Exception:
            # Given back, so the next run (15 minutes on) tries again; one merchant's failure
            # does not keep the others' reports.
            logger.exception("report not sent", extra={"merchant": stored.merchant_id})
            store.give_back_day(stored.merchant_id, day, stored.last_sent_on)
            sent.failures += 1
            continue
        sent.reports += 1
        sent.merchants.append(stored.merchant_id)
    return sent


def send_now(
    *,
    moment: datetime | None = None,
    mailer: Mailer | None = None,
    ledger: Ledger | None = None,
    store: ReportStore | None = None,
) -> Sent:
    """Every merchant's report with a recipient, at once (the day's scheduled one still goes)."""
    mailer, ledger, store = mailer or SesMailer(), ledger or Ledger(), store or ReportStore()
    moment, sent = moment or now(), Sent()
    for stored in store.every():
        if stored.settings.enabled:
            sent.emails += send_report(stored, moment, mailer, ledger)
            sent.reports += 1
            sent.merchants.append(stored.merchant_id)
    return sent
