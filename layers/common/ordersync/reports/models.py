"""What a merchant sets for the daily report, and what a report's row says. A send time is a
wall-clock time in an IANA zone (zoneinfo), so it follows the zone's daylight-saving changes;
no recipient means no report."""

from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from ordersync.core.models import Setting
from ordersync.merchants.models import Email


class ReportScope(StrEnum):
    ALL = "all"
    # Every order not synced: failed, and the ones still pending verification or queued.
    FAILED = "failed"


class SyncStatus(StrEnum):
    """The report's Status column."""

    FAILED = "Failed"
    PENDING_VERIFICATION = "Pending Verification"
    QUEUED = "Queued"
    SYNCED = "Synced"


@cache
def _zones() -> frozenset[str]:
    # tzdata's own list (the layer ships it), not zoneinfo.available_timezones(), which adds
    # what the machine's /usr/share/zoneinfo holds ("localtime": the server's zone).
    listed = resources.files("tzdata").joinpath("zones").read_text().split()
    return frozenset(listed) - {"Factory"}


def _known_zone(name: str) -> str:
    # Only a name in that list: never a path ("../x") zoneinfo would try to open.
    if name not in _zones():
        raise PydanticCustomError(
            "time_zone",
            "{zone} is not an IANA time zone name, such as Europe/Paris",
            {"zone": name},
        )
    return name


def _list_zones(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(_zones())


SEND_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
SendTime = Annotated[
    str,
    StringConstraints(pattern=SEND_TIME_PATTERN),
    Field(description="The local time of day the report is sent, HH:MM (24-hour clock)."),
]
TimeZoneName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_known_zone),
    Field(
        description="The IANA time zone of the send time, such as Europe/Paris or UTC.",
        # The document lists the names the API accepts, so a client (and schemathesis) can
        # know a valid one without trying it; built only when a document is made.
        json_schema_extra=_list_zones,
    ),
]


def _once_each(addresses: list[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


class ReportSettings(Setting):
    """PUT /v1/settings/report (the whole setting) and what GET answers."""

    send_time: SendTime = "08:00"
    time_zone: TimeZoneName = "UTC"
    scope: ReportScope = Field(
        default=ReportScope.ALL,
        description="all: every order of the last 24 hours; failed: only those not synced "
        "(failed, pending verification and queued).",
    )
    # Addresses only (lower-cased, no display name, so no header of ours holds their text):
    # CR, LF and anything else outside an address are refused by the pattern.
    recipients: Annotated[list[Email], AfterValidator(_once_each)] = Field(
        default_factory=list,
        max_length=20,
        description="Who receives the report; an empty list turns it off.",
    )

    @property
    def enabled(self) -> bool:
        return bool(self.recipients)

    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.send_time.split(":")
        return int(hour), int(minute)


class ReportRow(Setting):
    order_id: str
    distributor: str  # the channel the order came from
    account_id: str | None
    delivery_date: str | None
    placed_at: datetime | None
    status: SyncStatus
