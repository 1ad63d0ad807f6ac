"""Sending: a Mailer is anything that sends a composed email to one address; SES in the stack."""

from email.message import EmailMessage
from typing import Protocol

from ordersync.core import aws
from ordersync.core.settings import get_settings
from ordersync.notifications.settings import notification_settings


class Mailer(Protocol):
    def send(self, message: EmailMessage, to_email: str) -> str: ...


class SesMailer:
    """SendRawEmail (our own MIME: the unsubscribe headers need it), through the stack's
    configuration set so bounces and complaints are tracked per sending identity."""

    def send(self, message: EmailMessage, to_email: str) -> str:
        request = {
            "Source": get_settings().sender_email,
            "Destinations": [to_email],
            "RawMessage": {"Data": message.as_bytes()},
        }
        configuration_set = notification_settings().mail_configuration_set
        if configuration_set:
            request["ConfigurationSetName"] = configuration_set
        return aws.ses().send_raw_email(**request)["MessageId"]  # type: ignore[arg-type]


class ListMailer:
    """Keeps what it would send (tests, and anyone trying the composition alone)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, EmailMessage]] = []

    def send(self, message: EmailMessage, to_email: str) -> str:
        self.sent.append((to_email, message))
        return str(len(self.sent))
