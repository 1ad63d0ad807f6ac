"""What only exports read from their environment."""

from pydantic import Field

from ordersync.core.settings import EnvironmentSettings, resettable


class ExportSettings(EnvironmentSettings):
    exports_table: str
    exports_bucket: str
    exports_queue_url: str = ""  # only the API, which queues jobs, needs it
    # Up to this many rows the export is the HTTP answer itself; past it, a job writes it to S3.
    export_direct_rows: int = Field(default=5000, ge=1, le=20000)
    # How long a download link of a finished job stays good.
    export_link_seconds: int = Field(default=300, ge=30, le=3600)
    # How long a job record (and so its link) is kept: the bucket's lifecycle deletes the file
    # after a day too.
    export_keep_hours: int = Field(default=24, ge=1, le=24 * 7)


@resettable
def export_settings() -> ExportSettings:
    return ExportSettings.from_environment()
