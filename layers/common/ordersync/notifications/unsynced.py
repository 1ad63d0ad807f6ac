"""The "Unsynced Order" email, for users an admin granted the order-sync notification opt-in
(never for named contacts, who are not users): an order flagged queued or pending verification
past its grace (`rules.newly_unsynced`). It follows the alert emails' bound, counted apart: per
user and window, the first unsynced order is emailed at once, the rest are listed in one
digest at the window's end (only those still unsynced then)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from ordersync.alerts.ids import alert_id
from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import AlertStore
from ordersync.core.clock import now
from ordersync.notifications.ledger import UNSYNCED, Ledger, boundaries
from ordersync.notifications.mailer import Mailer, SesMailer
from ordersync.notifications.models import Frequency, Recipient
from ordersync.notifications.recipients import opted_in_users
from ordersync.notifications.render import compose
from ordersync.notifications.rules import UNSYNCED_STATES
from ordersync.notifications.service import (
    DIGEST_LOOKBACK,
    DIGEST_READ_LIMIT,
    Sent,
    link_days,
    resolve_url,
    unsubscribe_url,
)
from ordersync.notifications.settings import link_settings, notification_settings
from ordersync.operations.records import OperationStore

logger = Logger(child=True)


@dataclass(frozen=True)
class UnsyncedOrder:
    alert: Alert
    state: str  # "queued" or "pending verification"
    # When ordersync accepted the operation: the order has not been synced since.
    since: datetime | None

    @classmethod
    def of(cls, alert: Alert, operations: OperationStore) -> "UnsyncedOrder":
        operation = operations.get(alert.operation_id)
        mine = operation is not None and operation.merchant_id == alert.merchant_id
        return cls(
            alert=alert,
            state=UNSYNCED_STATES[alert.outcome.code],
            since=operation.accepted_at if operation and mine else None,
        )


def recipients_of(alert: Alert) -> list[Recipient]:
    """Who is told about `alert` by an Unsynced Order email (and so not by an alert email)."""
    if alert.outcome.code not in UNSYNCED_STATES:
        return []
    return opted_in_users(alert.merchant_id)


def _console_url(alert: Alert) -> str:
    base = link_settings().public_base_url
    return f"{base}/console/alerts/{alert_id(alert.entity_key)}"


def notify(
    alert: Alert,
    *,
    mailer: Mailer | None = None,
    ledger: Ledger | None = None,
    moment: datetime | None = None,
    operations: OperationStore | None = None,
) -> Sent:
    """Tell the opted-in users that `alert`'s order is not synced yet."""
    mailer, ledger, moment = mailer or SesMailer(), ledger or Ledger(), moment or now()
    sent = Sent()
    order: UnsyncedOrder | None = None
    for recipient in recipients_of(alert):
        immediate = recipient.frequency is Frequency.IMMEDIATE
        if immediate and ledger.claim_immediate(alert.merchant_id, recipient, moment, UNSYNCED):
            order = order or UnsyncedOrder.of(alert, operations or OperationStore())
            message = compose(
                "unsynced",
                subject=f"Unsynced Order {alert.identifier}: {order.state}",
                to_name=recipient.name,
                to_email=recipient.email,
                unsubscribe_url=unsubscribe_url(alert.merchant_id, recipient, ledger),
                order=order,
                alert=alert,
                merchant_id=alert.merchant_id,
                resolve_url=resolve_url(
                    alert.merchant_id, alert.entity_key, recipient.email, ledger
                ),
                console_url=_console_url(alert),
                days=link_days(),
            )
            mailer.send(message, recipient.email)
            sent.immediate += 1
            sent.recipients.add(recipient.key)
        else:
            ledger.digest_due(alert.merchant_id, recipient, moment, UNSYNCED)
            sent.digests_due += 1
    return sent


def send_digests(
    *,
    mailer: Mailer | None = None,
    ledger: Ledger | None = None,
    moment: datetime | None = None,
    alerts: AlertStore | None = None,
    operations: OperationStore | None = None,
) -> Sent:
    """Every unsynced-orders digest due by `moment`, to users still opted in, listing the
    orders still unsynced (none left: nothing is sent)."""
    mailer, ledger, moment = mailer or SesMailer(), ledger or Ledger(), moment or now()
    alerts, operations = alerts or AlertStore(), operations or OperationStore()
    sent = Sent()
    for due in boundaries(moment - DIGEST_LOOKBACK, moment):
        for merchant_id, recipient, item_key in ledger.digests(due, UNSYNCED):
            current = {r.key: r for r in opted_in_users(merchant_id)}
            if recipient.key in current:
                waiting = unsynced_alerts(merchant_id, alerts)
                if waiting:
                    _send_digest(current[recipient.key], waiting, mailer, ledger, operations)
                    sent.digests += 1
                    sent.recipients.add(recipient.key)
            ledger.digest_sent(item_key)
    return sent


def unsynced_alerts(merchant_id: str, store: AlertStore) -> list[Alert]:
    """The merchant's open, not ignored alerts on unsynced orders, oldest flag first: the
    by-code index, one partition per code (never a Scan)."""
    found: list[Alert] = []
    for code in UNSYNCED_STATES:
        cursor: dict[str, Any] | None = None
        while len(found) < DIGEST_READ_LIMIT:
            page = store.page(
                merchant_id, code=code, status=AlertStatus.OPEN, limit=200, cursor=cursor
            )
            found += [alert for alert in page.alerts if not alert.ignored]
            cursor = page.cursor
            if not cursor:
                break
    return sorted(found, key=lambda alert: alert.updated_at)


def _send_digest(
    recipient: Recipient,
    waiting: list[Alert],
    mailer: Mailer,
    ledger: Ledger,
    operations: OperationStore,
) -> None:
    merchant_id = waiting[0].merchant_id
    listed = []
    for alert in waiting[: notification_settings().digest_links]:
        listed.append(
            {
                "order": UnsyncedOrder.of(alert, operations),
                "url": resolve_url(merchant_id, alert.entity_key, recipient.email, ledger),
            }
        )
    counts = {
        state: sum(1 for alert in waiting if UNSYNCED_STATES[alert.outcome.code] == state)
        for state in UNSYNCED_STATES.values()
    }
    total = len(waiting)
    message = compose(
        "unsynced_digest",
        subject=f"{total} Unsynced Order{'s' if total != 1 else ''}: ordersync",
        to_name=recipient.name,
        to_email=recipient.email,
        unsubscribe_url=unsubscribe_url(merchant_id, recipient, ledger),
        merchant_id=merchant_id,
        listed=listed,
        counts=counts,
        total=total,
        console_url=f"{link_settings().public_base_url}/console/orders",
        days=link_days(),
    )
    mailer.send(message, recipient.email)
    logger.info("unsynced digest sent", extra={"merchant": merchant_id, "orders": total})
