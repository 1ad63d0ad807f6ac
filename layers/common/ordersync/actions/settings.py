"""What only the bulk actions read from their environment."""

from ordersync.core.settings import EnvironmentSettings, resettable


class ActionSettings(EnvironmentSettings):
    # Where a bulk job by filter is queued, and where it queues its next part.
    bulk_actions_queue_url: str


@resettable
def action_settings() -> ActionSettings:
    return ActionSettings.from_environment()
