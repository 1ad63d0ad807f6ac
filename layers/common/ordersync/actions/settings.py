"""What only the bulk actions read from their environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict

from ordersync.core.settings import resettable


class ActionSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    # Where a bulk job by filter is queued, and where it queues its next part.
    bulk_actions_queue_url: str


@resettable
def action_settings() -> ActionSettings:
    return ActionSettings()
