"""Who is told what, and when: an alert that newly waits for a person is emailed at once to
each immediate recipient's first alert of the window; every other goes into that recipient's
digest at the window's end. So a burst costs each recipient at most one immediate email and
one digest per window, however many orders fail."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from ordersync.alerts.models import Alert
from ordersync.alerts.repository import AlertStore
from ordersync.core.clock import now
from ordersync.notifications import tokens
from ordersync.notifications.ledger import Ledger, boundaries
from ordersync.notifications.mailer import Mailer, SesMailer
from ordersync.notifications.models import Frequency, Recipient
from ordersync.notifications.recipients import recipients
from ordersync.notifications.render import compose
from ordersync.notifications.settings import link_settings, notification_settings

logger = Logger(child=True)
# A digest counts at most this many open alerts (more read "1000+" in spirit: the console
# lists them all); it reads them through the needs-action index, never a Scan.
DIGEST_READ_LIMIT = 1000
# Digests a missed run left behind are still sent, this far back.
DIGEST_LOOKBACK = timedelta(hours=26)


@dataclass
class Sent:
    immediate: int = 0
    digests_due: int = 0
    digests: int = 0
    recipients: set[str] = field(default_factory=set)


def _url(path: str) -> str:
    return f"{link_settings().public_base_url}{path}"


def resolve_url(merchant_id: str, entity_key: str, sent_to: str, ledger: Ledger) -> str:
    return _url(f"/resolve/{tokens.issue_resolve(merchant_id, entity_key, sent_to, ledger)}")


def unsubscribe_url(merchant_id: str, recipient: Recipient, ledger: Ledger) -> str:
    return _url(f"/unsubscribe/{tokens.issue_unsubscribe(merchant_id, recipient, ledger)}")


def notify(
    alert: Alert,
    *,
    mailer: Mailer | None = None,
    ledger: Ledger | None = None,
    moment: datetime | None = None,
    sent: Sent | None = None,
    leave_out: frozenset[str] = frozenset(),
) -> Sent:
    """Tell the merchant's recipients that `alert` waits for them (but those in `leave_out`,
    recipient keys told about it otherwise)."""
    mailer, ledger, moment = mailer or SesMailer(), ledger or Ledger(), moment or now()
    sent = sent or Sent()
    for recipient in recipients(alert.merchant_id):
        if recipient.key in leave_out:
            continue
        immediate = recipient.frequency is Frequency.IMMEDIATE
        if immediate and ledger.claim_immediate(alert.merchant_id, recipient, moment):
            message = compose(
                "alert",
                subject=f"Order {alert.identifier} needs you: {alert.outcome.code}",
                to_name=recipient.name,
                to_email=recipient.email,
                unsubscribe_url=unsubscribe_url(alert.merchant_id, recipient, ledger),
                alert=alert,
                merchant_id=alert.merchant_id,
                resolve_url=resolve_url(
                    alert.merchant_id, alert.entity_key, recipient.email, ledger
                ),
                days=link_days(),
            )
            mailer.send(message, recipient.email)
            sent.immediate += 1
            sent.recipients.add(recipient.key)
        else:
            ledger.digest_due(alert.merchant_id, recipient, moment)
            sent.digests_due += 1
    return sent


def link_days() -> str:
    return f"{notification_settings().resolve_token_days:g}"


def send_digests(
    *,
    mailer: Mailer | None = None,
    ledger: Ledger | None = None,
    moment: datetime | None = None,
    alerts: AlertStore | None = None,
) -> Sent:
    """Every digest due by `moment` (and not sent yet), each to a recipient the merchant's
    configuration still names, listing what still waits."""
    mailer, ledger, moment = mailer or SesMailer(), ledger or Ledger(), moment or now()
    alerts = alerts or AlertStore()
    sent = Sent()
    for due in boundaries(moment - DIGEST_LOOKBACK, moment):
        for merchant_id, recipient, item_key in ledger.digests(due):
            current = {r.key: r for r in recipients(merchant_id)}
            if recipient.key in current:
                waiting = _waiting(merchant_id, alerts)
                if waiting:
                    _send_digest(merchant_id, current[recipient.key], waiting, mailer, ledger)
                    sent.digests += 1
                    sent.recipients.add(recipient.key)
            ledger.digest_sent(item_key)
    return sent


def _waiting(merchant_id: str, store: AlertStore) -> list[Alert]:
    found: list[Alert] = []
    cursor: dict[str, Any] | None = None
    while len(found) < DIGEST_READ_LIMIT:
        page = store.page(merchant_id, needs_action=True, limit=200, cursor=cursor)
        found += page.alerts
        cursor = page.cursor
        if not cursor:
            break
    return found


def _send_digest(
    merchant_id: str,
    recipient: Recipient,
    waiting: list[Alert],
    mailer: Mailer,
    ledger: Ledger,
) -> None:
    by_code: dict[str, list[Alert]] = defaultdict(list)
    for alert in waiting:
        by_code[alert.outcome.code].append(alert)
    budget = notification_settings().digest_links
    groups = []
    for code, members in sorted(by_code.items(), key=lambda pair: (-len(pair[1]), pair[0])):
        links = []
        for alert in members[: max(budget, 0)]:
            url = resolve_url(merchant_id, alert.entity_key, recipient.email, ledger)
            links.append(
                {"identifier": alert.identifier, "channel_id": alert.channel_id, "url": url}
            )
        budget -= len(links)
        groups.append(
            {
                "code": code,
                "count": len(members),
                "action": members[0].outcome.action,
                "links": links,
            }
        )
    total = len(waiting)
    message = compose(
        "digest",
        subject=f"{total} order{'s' if total != 1 else ''} wait for you: ordersync digest",
        to_name=recipient.name,
        to_email=recipient.email,
        unsubscribe_url=unsubscribe_url(merchant_id, recipient, ledger),
        merchant_id=merchant_id,
        groups=groups,
        total=total,
        # "hourly digest", "daily digest"; an immediate recipient's is just "digest".
        frequency=""
        if recipient.frequency is Frequency.IMMEDIATE
        else f"{recipient.frequency.value} ",
        days=link_days(),
    )
    mailer.send(message, recipient.email)
    logger.info("digest sent", extra={"merchant": merchant_id, "alerts": total})
