"""What the notification tests share: the alerts table's stream as the notifier receives it,
the emails moto's SES kept, and a merchant with contacts and users to tell."""

import email
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto.ses.models import ses_backends

from local.streams import TableStream
from ordersync.alerts import policy
from ordersync.catalog.codes import outcome
from ordersync.core.aws import reset_clients
from ordersync.core.clock import now
from ordersync.merchants.models import MerchantUser, Permissions, Role
from ordersync.merchants.repository import UserStore
from ordersync.notifications.models import Contact, Frequency, StoredSettings
from ordersync.notifications.recipients import SettingsStore
from tests.factories import operation_message

if TYPE_CHECKING:  # the conftest imports this module: its fixture `mail` is shared from there
    from tests.integration.conftest import Stack

ACCOUNT, REGION = "123456789012", "us-east-1"
BASE_URL = "https://alerts.ordersync.test"
SENDER = "alerts@example.com"


class AlertStream(TableStream):
    """The alerts table's stream from now on, as Lambda hands it to the notifier."""

    def event(self) -> dict[str, Any]:
        records = self.read(10_000)
        self.advance(len(records))
        return {"Records": records}


@pytest.fixture
def mail(stack: "Stack", monkeypatch: pytest.MonkeyPatch) -> Iterator[AlertStream]:
    """SES ready to send (a verified sender, an empty store) and the alerts table's stream."""
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    reset_clients()
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)
    forget_sent()
    yield AlertStream(stack.resources["AlertsTable"])
    forget_sent()


def record_alert(code: str, order_id: str = "WEB-1", **changes: Any) -> None:
    """An alert of `code` for a shipment of `order_id`, written as a run writes it."""
    message = operation_message({}, merchant_id="m", order_id=order_id, operation="shipment")
    policy.record(
        message,
        outcome(code, order_id=order_id, reference="S-1", problems="carrier"),
        next_step="…",
        attempts=1,
        **changes,
    )


def sent_emails() -> list[Message]:
    return [
        email.message_from_string(message.raw_data)
        for message in ses_backends[ACCOUNT][REGION].sent_messages
    ]


def forget_sent() -> None:
    ses_backends[ACCOUNT][REGION].sent_messages.clear()


def part(message: Message, subtype: str) -> str:
    for piece in message.walk():
        if piece.get_content_type() == f"text/{subtype}":
            charset = piece.get_content_charset() or "utf-8"
            return str(piece.get_payload(decode=True).decode(charset))  # type: ignore[union-attr]
    raise AssertionError(f"no text/{subtype} part")


def merchant_with_recipients(
    merchant_id: str = "m", frequency: Frequency = Frequency.IMMEDIATE
) -> None:
    """Merchant `m`: one named contact, one user granted notifications, one user without, all
    at <name>@<merchant>.test."""
    SettingsStore().put(
        merchant_id,
        StoredSettings(
            contacts=[
                Contact(name="Ops desk", email=f"ops@{merchant_id}.test", frequency=frequency)
            ]
        ),
    )
    moment = now()
    for user_id, granted in (("u-granted", True), ("u-not", False)):
        UserStore().create(
            MerchantUser(
                user_id=user_id,
                merchant_id=merchant_id,
                email=f"{user_id}@{merchant_id}.test",
                role=Role.OPERATOR,
                permissions=Permissions(notifications=granted),
                created_at=moment,
                updated_at=moment,
            )
        )


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 29, hour, minute, tzinfo=UTC)
