"""Channel credentials: random tokens stored only as hashes, and who is calling, decided once per
credential by the API's authorizer."""

import hashlib
import secrets
from typing import TYPE_CHECKING

from ordersync.config.models import Channel

if TYPE_CHECKING:
    from ordersync.config.repository import ConfigStore


def credential_hash(credential: str) -> str:
    # Credentials are random 256-bit tokens, so a fast unsalted hash cannot be brute-forced;
    # it lets a credential be found by key without ever storing it.
    return hashlib.sha256(credential.encode()).hexdigest()


def new_credential() -> str:
    return "osk_" + secrets.token_urlsafe(32)


BEARER = "bearer "


def credential_from_header(header: str | None) -> str | None:
    if not header:
        return None
    value = header.strip()
    if value.lower().startswith(BEARER):
        value = value[len(BEARER) :].strip()
    return value or None


def authorize(header: str | None, config: "ConfigStore") -> Channel | None:
    credential = credential_from_header(header)
    return config.channel_for_credential(credential) if credential else None
