"""Alert emails on moto: the alerts table's stream into the notifier, SES's store read back,
and the fatigue bound under a burst."""

import importlib
import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from local.lambdas import LambdaContext
from ordersync.merchants.repository import UserStore
from ordersync.notifications.ledger import Ledger
from ordersync.notifications.models import Contact, Frequency
from ordersync.notifications.recipients import SettingsStore, recipients
from ordersync.notifications.service import notify, send_digests
from tests.factories import an_alert
from tests.integration.notifications_support import (
    BASE_URL,
    AlertStream,
    at,
    merchant_with_recipients,
    part,
    record_alert,
    sent_emails,
)

notifier = importlib.import_module("functions.notifier.app")


def _run_notifier(stream: AlertStream) -> dict[str, object]:
    context = LambdaContext(function_name="notifier", timeout_seconds=60)
    return notifier.lambda_handler(stream.event(), context)  # type: ignore[no-any-return]


def test_an_alert_that_needs_a_person_emails_every_configured_recipient_at_once(
    mail: AlertStream,
) -> None:
    merchant_with_recipients()
    record_alert("Missing Shipping Data")

    assert _run_notifier(mail) == {"batchItemFailures": []}

    sent = sent_emails()
    assert sorted(m["To"] for m in sent) == ["Ops desk <ops@m.test>", "u-granted@m.test"]
    message = sent[0]
    assert message["Subject"] == "Order WEB-1 needs you: Missing Shipping Data"
    text, html = part(message, "plain"), part(message, "html")
    assert "Missing Shipping Data" in text
    assert "carrier" in text
    assert "What to do: Add the missing shipping data" in text
    links = re.findall(rf"{BASE_URL}/resolve/[A-Za-z0-9_-]{{43}}", text)
    assert len(links) == 1
    assert links[0] in html
    unsubscribe = re.findall(rf"{BASE_URL}/unsubscribe/[A-Za-z0-9_-]{{43}}", text)
    assert message["List-Unsubscribe"] == f"<{unsubscribe[0]}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_transient_failures_email_only_once_their_retries_are_spent(mail: AlertStream) -> None:
    merchant_with_recipients()
    record_alert("Platform Unavailable")
    _run_notifier(mail)
    assert sent_emails() == []

    record_alert("Platform Unavailable", retries_spent=True)
    _run_notifier(mail)
    assert len(sent_emails()) == 2


def test_an_alert_already_waiting_for_the_same_reason_is_not_emailed_again(
    mail: AlertStream,
) -> None:
    merchant_with_recipients()
    record_alert("Missing Shipping Data")
    record_alert("Missing Shipping Data")  # the same failure, run again
    record_alert("Order Created")  # resolved: nothing to tell
    _run_notifier(mail)
    assert len(sent_emails()) == 2  # once per recipient, for the first write only


def test_html_is_escaped_and_a_name_cannot_add_a_header(mail: AlertStream) -> None:
    merchant_with_recipients()
    notify(an_alert(identifier="<script>x</script>"))
    html = part(sent_emails()[0], "html")
    assert "<script>x" not in html
    assert "&lt;script&gt;x" in html


def test_a_burst_of_200_failing_orders_sends_each_recipient_one_email_then_one_digest(
    mail: AlertStream,
) -> None:
    merchant_with_recipients()
    ledger = Ledger()
    for number in range(200):
        alert = an_alert(
            entity_key=f"erp#shop#order#B-{number}",
            identifier=f"B-{number}",
            code="Missing Shipping Data" if number % 4 else "Invalid Status Transition",
        )
        _store(alert)
        notify(alert, ledger=ledger, moment=at(10, 1) + timedelta(seconds=number // 4))
    assert len(sent_emails()) == 2  # recipients x 1 immediate

    send_digests(ledger=ledger, moment=at(10, 59))
    assert len(sent_emails()) == 2  # nothing due before the window ends
    sent = send_digests(
        ledger=ledger,
        moment=at(
            11,
            0,
        ),
    )
    assert sent.digests == 2
    send_digests(ledger=ledger, moment=at(11, 5))  # a later run sends nothing twice
    emails = sent_emails()
    assert len(emails) == 4  # the bound: recipients (2) x windows (1) x (1 immediate + 1 digest)
    digest = part(emails[-1], "plain")
    assert digest.startswith("200 orders of m wait for you")
    assert "Missing Shipping Data: 150" in digest
    assert "Invalid Status Transition: 50" in digest
    assert len(re.findall(rf"{BASE_URL}/resolve/", digest)) == 50  # links capped, counts whole


def test_hourly_recipients_get_only_the_digest(mail: AlertStream) -> None:
    merchant_with_recipients(frequency=Frequency.HOURLY)
    _store(an_alert())
    notify(an_alert(), moment=at(10, 1))
    assert [m["To"] for m in sent_emails()] == ["u-granted@m.test"]  # the user is immediate
    send_digests(moment=at(11, 0))
    assert [m["To"] for m in sent_emails()][1:] == ["Ops desk <ops@m.test>"]
    assert "You receive this hourly digest" in part(sent_emails()[-1], "plain")


def _store(alert: object) -> None:
    from ordersync.alerts.repository import AlertStore

    AlertStore().upsert(alert)  # type: ignore[arg-type]


def test_a_batch_reads_each_merchants_recipients_once_and_the_next_batch_afresh(
    mail: AlertStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    merchant_with_recipients()
    reads: Counter[str] = Counter()

    def counted(name: str, read: Callable[..., Any]) -> Callable[..., Any]:
        def counting(*args: Any, **kwargs: Any) -> Any:
            reads[name] += 1
            return read(*args, **kwargs)

        return counting

    monkeypatch.setattr(SettingsStore, "get", counted("settings", SettingsStore.get))
    monkeypatch.setattr(UserStore, "list", counted("users", UserStore.list))
    for number in range(20):
        record_alert("Missing Shipping Data", order_id=f"WEB-{number}")

    assert _run_notifier(mail) == {"batchItemFailures": []}
    assert reads == {"settings": 1, "users": 1}
    assert sorted(m["To"] for m in sent_emails()) == ["Ops desk <ops@m.test>", "u-granted@m.test"]

    # A contact added between batches is told by the next one.
    stored = SettingsStore().get("m")
    newcomer = Contact(name="Night desk", email="night@m.test", frequency=Frequency.IMMEDIATE)
    SettingsStore().put("m", stored.model_copy(update={"contacts": [*stored.contacts, newcomer]}))
    record_alert("Missing Shipping Data", order_id="WEB-LATER")
    reads.clear()

    assert _run_notifier(mail) == {"batchItemFailures": []}
    assert reads == {"settings": 1, "users": 1}
    assert "Night desk <night@m.test>" in [m["To"] for m in sent_emails()]
    # Outside a batch, every call reads.
    recipients("m")
    recipients("m")
    assert reads == {"settings": 3, "users": 3}
