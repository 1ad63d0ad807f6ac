"""Channel credentials: who is calling, decided once per credential by the API's authorizer."""

from ordersync.config import Channel, ConfigStore

BEARER = "bearer "


def credential_from_header(header: str | None) -> str | None:
    if not header:
        return None
    value = header.strip()
    if value.lower().startswith(BEARER):
        value = value[len(BEARER) :].strip()
    return value or None


def authorize(header: str | None, config: ConfigStore) -> Channel | None:
    credential = credential_from_header(header)
    return config.channel_for_credential(credential) if credential else None
