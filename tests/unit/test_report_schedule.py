"""When a daily report is due: the send time is a wall-clock time in the merchant's zone, so it
moves with daylight saving, goes once a day, and never goes without a recipient; and what a
setting accepts as a zone."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from ordersync.reports.models import ReportSettings
from ordersync.reports.service import due_day
from ordersync.reports.store import StoredReport


def stored(last: str | None = None, **settings: object) -> StoredReport:
    values = {"send_time": "08:00", "time_zone": "Europe/Paris", "recipients": ["a@m.test"]}
    return StoredReport("m", ReportSettings.model_validate({**values, **settings}), last)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (utc(2026, 11, 29, 6, 59), None),  # 07:59 in Paris (UTC+1)
        (utc(2026, 11, 29, 7, 0), "2026-11-29"),
        (utc(2026, 7, 1, 5, 59), None),  # summer: 07:59 (UTC+2)
        (utc(2026, 7, 1, 6, 0), "2026-07-01"),
        # 00:30 on the 30th in Paris: the local day is the 30th, and its 08:00 is to come.
        (utc(2026, 11, 29, 23, 30), None),
        (utc(2026, 11, 30, 7, 0), "2026-11-30"),
    ],
)
def test_the_send_time_is_the_zones_wall_clock(moment: datetime, due: str | None) -> None:
    assert due_day(stored(), moment) == due


def test_once_a_day_and_never_without_a_recipient() -> None:
    assert due_day(stored(last="2026-11-29"), utc(2026, 11, 29, 20, 0)) is None
    assert due_day(stored(last="2026-11-28"), utc(2026, 11, 29, 20, 0)) == "2026-11-29"
    assert due_day(stored(recipients=[]), utc(2026, 11, 29, 20, 0)) is None


def test_a_send_time_the_clock_skips_goes_at_the_first_run_after_it() -> None:
    # 2027-03-28, Paris: 02:00 becomes 03:00, so 02:30 never happens on that day.
    early = stored(send_time="02:30")
    assert due_day(early, utc(2027, 3, 28, 0, 45)) is None  # 01:45 local
    assert due_day(early, utc(2027, 3, 28, 1, 0)) == "2027-03-28"  # 03:00 local
    # 2027-10-31: 02:30 happens twice; the day already sent stops the second.
    assert due_day(stored(send_time="02:30", last="2027-10-31"), utc(2027, 10, 31, 1, 30)) is None


@pytest.mark.parametrize(
    "zone", ["Paris", "europe/paris", "localtime", "Factory", "../../etc/passwd", "", "UTC+1"]
)
def test_only_iana_zone_names_are_accepted(zone: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ReportSettings(time_zone=zone)
    assert refused.value.errors()[0]["loc"] == ("time_zone",)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"])
def test_iana_zone_names_are(zone: str) -> None:
    assert ReportSettings(time_zone=zone).time_zone == zone


@pytest.mark.parametrize("time", ["8:00", "24:00", "07:60", "07:30:00", " 07:30"])
def test_a_send_time_is_hh_mm(time: str) -> None:
    with pytest.raises(ValidationError):
        ReportSettings(send_time=time)
