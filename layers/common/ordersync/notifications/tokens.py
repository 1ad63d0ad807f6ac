"""The links in emails: a random token (256 bits) the email carries, of which only the SHA-256
is stored, bound to one alert (resolve) or one recipient (unsubscribe), expiring. Looking a
token up never spends it (mail scanners open links); an action spends a resolve token once."""

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ordersync.core.clock import iso, now
from ordersync.notifications.ledger import Ledger
from ordersync.notifications.models import Recipient
from ordersync.notifications.settings import notification_settings

RESOLVE = "resolve"
UNSUBSCRIBE = "unsubscribe"
# The daily report's own: it takes the address off the report's recipients, not off alerts.
REPORT_UNSUBSCRIBE = "unsubscribe-report"
# token_urlsafe(32): 43 characters of [A-Za-z0-9_-]; anything else is not one of ours.
TOKEN_LENGTH = 43


class TokenRefused(Exception):
    """A link that opens nothing: `status` is 403 (unknown, tampered) or 410 (expired, used)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    """What a valid token opens."""

    digest: str
    purpose: str
    merchant_id: str
    entity_key: str | None
    sent_to: str | None
    recipient: Recipient | None
    expires_at: datetime
    used_at: str | None
    used_for: str | None


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(values: dict[str, Any], days: float, ledger: Ledger | None) -> str:
    token = secrets.token_urlsafe(32)
    moment = now()
    expires = moment + timedelta(days=days)
    (ledger or Ledger()).put_token(
        digest_of(token),
        {
            **values,
            "createdAt": iso(moment),
            "expiresAtIso": iso(expires),
            # TTL removes it a day after it stopped working (TTL itself may lag by days).
            "expiresAt": int((expires + timedelta(days=1)).timestamp()),
        },
    )
    return token


def issue_resolve(
    merchant_id: str, entity_key: str, sent_to: str, ledger: Ledger | None = None
) -> str:
    """A link to one alert, for the address it is emailed to (the history names who acted)."""
    days = notification_settings().resolve_token_days
    values = {
        "purpose": RESOLVE,
        "merchantId": merchant_id,
        "entityKey": entity_key,
        "sentTo": sent_to,
    }
    return _issue(values, days, ledger)


def issue_unsubscribe(merchant_id: str, recipient: Recipient, ledger: Ledger | None = None) -> str:
    days = notification_settings().unsubscribe_token_days
    values = {
        "purpose": UNSUBSCRIBE,
        "merchantId": merchant_id,
        "recipient": recipient.model_dump(by_alias=True, mode="json"),
    }
    return _issue(values, days, ledger)


def issue_report_unsubscribe(merchant_id: str, sent_to: str, ledger: Ledger | None = None) -> str:
    days = notification_settings().unsubscribe_token_days
    values = {"purpose": REPORT_UNSUBSCRIBE, "merchantId": merchant_id, "sentTo": sent_to}
    return _issue(values, days, ledger)


def check(token: str, purpose: str | tuple[str, ...], ledger: Ledger | None = None) -> Grant:
    """What `token` opens (a token of `purpose`, or of one of them), without spending it;
    TokenRefused if nothing."""
    purposes = (purpose,) if isinstance(purpose, str) else purpose
    if len(token) != TOKEN_LENGTH or not all(c.isalnum() or c in "-_" for c in token):
        raise TokenRefused(403, "This link is not valid.")
    values = (ledger or Ledger()).token(digest_of(token))
    if values is None or values.get("purpose") not in purposes:
        raise TokenRefused(403, "This link is not valid.")
    expires = datetime.fromisoformat(values["expiresAtIso"])
    if expires <= now():
        raise TokenRefused(410, "This link has expired.")
    recipient = values.get("recipient")
    return Grant(
        digest=digest_of(token),
        purpose=values["purpose"],
        merchant_id=values["merchantId"],
        entity_key=values.get("entityKey"),
        sent_to=values.get("sentTo"),
        recipient=Recipient.model_validate(recipient) if recipient else None,
        expires_at=expires,
        used_at=values.get("usedAt"),
        used_for=values.get("usedFor"),
    )


def spend(grant: Grant, action: str, ledger: Ledger | None = None) -> None:
    """Use the token for `action`, once; TokenRefused (410) if it was used already."""
    if not (ledger or Ledger()).use_token(grant.digest, action, now()):
        raise TokenRefused(410, "This link has been used already.")


def give_back(grant: Grant, ledger: Ledger | None = None) -> None:
    """Undo `spend` when the action it was spent on did nothing."""
    (ledger or Ledger()).unuse_token(grant.digest)


def check_spent(grant: Grant) -> Grant:
    """`grant` as it reads once spent (the page then offers no action)."""
    return replace(grant, used_at=iso(now()), used_for=grant.used_for or "an action")
