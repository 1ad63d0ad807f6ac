"""What only the notification functions read from their environment."""

from pydantic import Field

from ordersync.core.settings import EnvironmentSettings, resettable


class LinkSettings(EnvironmentSettings):
    # Where links in emails point (scheme and host, no trailing slash): configuration, never a
    # request's Host header, so a forged header cannot send a merchant's token elsewhere. Only
    # the functions that write emails have it: a function behind the HTTP API cannot name the
    # API's URL in its own variables (the API's definition names the function: a cycle).
    public_base_url: str = Field(pattern=r"^https?://[^/\s?#]+(/[^\s?#]*[^/\s?#])?$")


class NotificationSettings(EnvironmentSettings):
    notifications_table: str
    mail_configuration_set: str = ""
    resolve_token_days: float = Field(default=7.0, gt=0, le=90)
    unsubscribe_token_days: float = Field(default=365.0, gt=0, le=3650)
    # The fatigue window: a contact gets at most one immediate email per window, the rest of
    # the window's alerts in one digest at its end.
    notify_window_minutes: float = Field(default=60.0, gt=0, le=1440)
    # A digest lists at most this many alerts with their own link (the counts cover them all).
    digest_links: int = Field(default=50, ge=1, le=500)


@resettable
def notification_settings() -> NotificationSettings:
    return NotificationSettings.from_environment()


@resettable
def link_settings() -> LinkSettings:
    return LinkSettings.from_environment()
