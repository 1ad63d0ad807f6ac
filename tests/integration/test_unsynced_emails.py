"""The "Unsynced Order" email on moto: the sweeper flags an order queued or pending
verification, the alerts table's stream hands the change to the notifier, and SES's store is
read back: only users with the order-sync notification opt-in, of that merchant only, within
the fatigue bound."""

import importlib
import re
from datetime import UTC, datetime, timedelta

from local.lambdas import LambdaContext
from ordersync.alerts import policy
from ordersync.alerts.repository import AlertStore
from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationMessage
from ordersync.notifications import unsynced
from ordersync.notifications.ledger import Ledger
from ordersync.operations.models import Deadline, OperationStatus, Watch
from ordersync.operations.records import OperationStore
from ordersync.operations.sweeper import sweep
from tests.factories import operation_message
from tests.integration.notifications_support import (
    BASE_URL,
    AlertStream,
    at,
    merchant_with_recipients,
    part,
    sent_emails,
)

notifier = importlib.import_module("functions.notifier.app")
digests = importlib.import_module("functions.digests.app")
LONG_AGO = datetime(2026, 11, 29, 8, 30, tzinfo=UTC)


def _run_notifier(stream: AlertStream) -> dict[str, object]:
    context = LambdaContext(function_name="notifier", timeout_seconds=60)
    return notifier.lambda_handler(stream.event(), context)  # type: ignore[no-any-return]


def _accepted(merchant_id: str = "m", **overrides: object) -> OperationMessage:
    message = operation_message({}, merchant_id=merchant_id, accepted_at=LONG_AGO, **overrides)
    assert OperationStore().create(message)
    return message


def _flag(message: OperationMessage, code: str = "Queued") -> None:
    """The alert the sweeper writes for an operation past its grace."""
    policy.record(
        message,
        outcome(code, operation="create", order_id=message.order_id, minutes=20),
        next_step="…",
        attempts=0,
    )


def _to(emails: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(str(m["To"]) for m in emails)


def test_the_sweeper_flags_a_queued_order_and_only_the_opted_in_user_is_emailed(
    mail: AlertStream,
) -> None:
    merchant_with_recipients()  # ops@m.test (a contact), u-granted (opted in), u-not
    message = _accepted()

    assert sweep().queued == 1
    assert _run_notifier(mail) == {"batchItemFailures": []}

    (email,) = sent_emails()  # a queued order is not an alert to act on: no contact email
    assert email["To"] == "u-granted@m.test"
    assert email["Subject"] == f"Unsynced Order {message.order_id}: queued"
    text, html = part(email, "plain"), part(email, "html")
    assert f"it is queued since {LONG_AGO:%Y-%m-%d %H:%M} UTC" in text
    assert "still queued" in text  # the alert's message
    assert re.search(rf"{BASE_URL}/resolve/[A-Za-z0-9_-]{{43}}", text)
    assert f"{BASE_URL}/console/alerts/" in html
    unsubscribe = re.findall(rf"{BASE_URL}/unsubscribe/[A-Za-z0-9_-]{{43}}", text)
    assert email["List-Unsubscribe"] == f"<{unsubscribe[0]}>"

    assert sweep().queued == 0  # watched again, flagged once: no alert written, nothing sent
    assert mail.event() == {"Records": []}


def test_an_order_never_confirmed_reaches_the_user_once_and_the_contact_as_an_alert(
    mail: AlertStream,
) -> None:
    merchant_with_recipients()
    message = _accepted()
    past = datetime.now(UTC) - timedelta(minutes=1)
    OperationStore().record(
        message.operation_id,
        status=OperationStatus.PENDING_VERIFICATION,
        attempts=1,
        outcome=None,
        where="accepted for later",
        deadline=Deadline(watch=Watch.VERIFICATION, until=past),
    )
    assert sweep().verification_overdue == 1
    _run_notifier(mail)

    emails = {str(m["To"]): m for m in sent_emails()}
    assert sorted(emails) == ["Ops desk <ops@m.test>", "u-granted@m.test"]
    assert emails["u-granted@m.test"]["Subject"] == (
        f"Unsynced Order {message.order_id}: pending verification"
    )
    assert emails["Ops desk <ops@m.test>"]["Subject"] == (
        f"Order {message.order_id} needs you: Verification Overdue"
    )


def test_another_merchants_users_are_never_told(mail: AlertStream) -> None:
    merchant_with_recipients("m")
    merchant_with_recipients("o")  # its own contact and opted-in user, at o.test
    _flag(_accepted("m"))
    _run_notifier(mail)
    assert _to(sent_emails()) == ["u-granted@m.test"]

    _flag(_accepted("o"))
    _run_notifier(mail)
    assert _to(sent_emails()) == ["u-granted@m.test", "u-granted@o.test"]


def test_an_ignored_resolved_or_repeated_flag_sends_nothing(mail: AlertStream) -> None:
    merchant_with_recipients()
    message = _accepted()
    _flag(message)
    _run_notifier(mail)
    assert len(sent_emails()) == 1
    _flag(message)  # the same flag written again
    policy.record(  # then the run: synced
        message, outcome("Order Created", order_id=message.order_id), next_step="…", attempts=1
    )
    _run_notifier(mail)
    assert len(sent_emails()) == 1


def test_a_burst_of_200_unsynced_orders_sends_each_user_one_email_then_one_digest(
    mail: AlertStream,
) -> None:
    merchant_with_recipients()
    ledger = Ledger()
    for number in range(200):
        message = _accepted(order_id=f"Q-{number}")
        _flag(message, "Queued" if number % 4 else "Verification Overdue")
        alert = AlertStore().get("m", message.entity_key)
        unsynced.notify(alert, ledger=ledger, moment=at(10, 1) + timedelta(seconds=number))
    to_user = [m for m in sent_emails() if m["To"] == "u-granted@m.test"]
    assert len(to_user) == 1  # the first of the window; the rest wait for its digest

    assert unsynced.send_digests(ledger=ledger, moment=at(10, 59)).digests == 0
    assert unsynced.send_digests(ledger=ledger, moment=at(11, 0)).digests == 1
    assert unsynced.send_digests(ledger=ledger, moment=at(11, 5)).digests == 0
    to_user = [m for m in sent_emails() if m["To"] == "u-granted@m.test"]
    assert len(to_user) == 2  # the bound: 1 immediate + 1 digest per user and window
    assert _to(sent_emails()) == ["u-granted@m.test"] * 2  # no one else, ever
    digest = part(to_user[-1], "plain")
    assert digest.startswith("200 orders of m not synced yet: 150 queued, 50 pending verification")
    assert len(re.findall(rf"{BASE_URL}/resolve/", digest)) == 50  # links capped, counts whole
    assert f"since {LONG_AGO:%Y-%m-%d %H:%M} UTC" in digest
    assert "... and 150 more in the console" in digest


def test_the_digest_function_sends_nothing_once_the_orders_synced(mail: AlertStream) -> None:
    merchant_with_recipients()
    ledger = Ledger()
    first, second = _accepted(), _accepted()
    for message in (first, second):
        _flag(message)
        unsynced.notify(AlertStore().get("m", message.entity_key), moment=at(10, 1))
    assert len(sent_emails()) == 1
    policy.record(
        second, outcome("Order Created", order_id=second.order_id), next_step="…", attempts=1
    )
    policy.record(
        first, outcome("Order Created", order_id=first.order_id), next_step="…", attempts=1
    )
    assert unsynced.send_digests(ledger=ledger, moment=at(11, 0)).digests == 0
    assert len(sent_emails()) == 1
    context = LambdaContext(function_name="digests", timeout_seconds=60)
    assert digests.lambda_handler({}, context)["unsyncedDigests"] == 0
