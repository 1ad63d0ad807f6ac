"""SES on the local stack: what moto's CloudFormation skips (the sender's identity, the
configuration set) made through moto's SES API from the template, and the outbox, where every
email SES accepted can be read back as JSON (`GET /_local/outbox`)."""

import email
import email.policy
from typing import Any

from local.template import LocalTemplate
from local.template_refs import substitute

ACCOUNT, REGION = "123456789012", "us-east-1"


def create_mail_resources(template: LocalTemplate, ses: Any, parameters: dict[str, str]) -> None:
    for resource in template.resources_of_type("AWS::SES::ConfigurationSet").values():
        name = substitute(resource["Properties"]["Name"], parameters)
        ses.create_configuration_set(ConfigurationSet={"Name": name})
    for resource in template.resources_of_type("AWS::SES::EmailIdentity").values():
        identity = resource["Properties"]["EmailIdentity"]
        address = parameters[identity["Ref"]] if isinstance(identity, dict) else identity
        # SES sends only from a verified identity; locally it is verified at once.
        ses.verify_email_identity(EmailAddress=address)


def outbox() -> list[dict[str, Any]]:
    """Every email moto's SES kept, oldest first; a raw (MIME) one with its parts read out."""
    from moto.ses.models import ses_backends

    sent = []
    for message in ses_backends[ACCOUNT][REGION].sent_messages:
        entry: dict[str, Any] = {
            "id": message.id,
            "source": getattr(message, "source", None),
            "destinations": getattr(message, "destinations", None),
            "subject": getattr(message, "subject", None),
            "body": getattr(message, "body", None),
        }
        raw = getattr(message, "raw_data", None)
        if raw:
            parsed = email.message_from_string(raw, policy=email.policy.default)
            entry["subject"] = str(parsed["Subject"])
            entry["to"] = str(parsed["To"])
            entry["headers"] = {k: str(v) for k, v in parsed.items()}
            for part in parsed.walk():
                if part.get_content_type() in ("text/plain", "text/html"):
                    entry[part.get_content_subtype()] = part.get_content()  # type: ignore[attr-defined]
            entry["raw"] = raw
        sent.append(entry)
    return sent
