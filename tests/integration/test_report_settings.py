"""GET/PUT /v1/settings/report on moto: any user of the merchant reads it, only an admin sets
it, only for their own merchant, and a bad body is a 422 that lists every problem."""

from typing import Any

import pytest

from ordersync.reports.store import ReportStore
from tests.integration.test_notification_settings import call, merchant_users  # noqa: F401

GOOD = {
    "sendTime": "07:30",
    "timeZone": "Europe/Paris",
    "scope": "failed",
    "recipients": ["Ops@m1.test", "finance@m1.test", "ops@m1.test"],
}


def report(method: str, user_id: str, merchant: str, body: Any = None) -> tuple[int, Any]:
    return call(method, user_id, merchant, body, event="report_settings")


@pytest.mark.usefixtures("merchant_users")
def test_an_admin_sets_the_report_and_every_user_of_the_merchant_reads_it() -> None:
    assert report("GET", "u-op", "m1") == (
        200,
        {"sendTime": "08:00", "timeZone": "UTC", "scope": "all", "recipients": []},
    )
    status, answer = report("PUT", "u-admin", "m1", GOOD)
    assert status == 200, answer
    # Addresses lower-cased, each once.
    assert answer == {**GOOD, "recipients": ["ops@m1.test", "finance@m1.test"]}
    assert report("GET", "u-op", "m1") == (200, answer)
    # No recipient: off, and the rest is kept.
    status, answer = report("PUT", "u-admin", "m1", {**GOOD, "recipients": []})
    assert (status, answer["recipients"], answer["sendTime"]) == (200, [], "07:30")
    assert not ReportStore().get("m1").enabled


@pytest.mark.usefixtures("merchant_users")
def test_only_an_admin_sets_it_and_only_for_their_own_merchant() -> None:
    status, answer = report("PUT", "u-op", "m1", GOOD)
    assert (status, answer["message"]) == (403, "only an admin sets the daily report")
    assert ReportStore().get("m1").recipients == []
    report("PUT", "u-admin", "m1", GOOD)
    # m2's admin sees and sets m2's report only; a merchant named in the body is refused.
    assert report("GET", "u-other", "m2")[1]["recipients"] == []
    assert report("PUT", "u-other", "m2", {**GOOD, "merchantId": "m1"})[0] == 422
    assert ReportStore().get("m1").recipients == ["ops@m1.test", "finance@m1.test"]
    # A user m1 does not have (a token for a deleted user, or m2's user claiming m1).
    assert report("GET", "u-other", "m1")[0] == 403


@pytest.mark.usefixtures("merchant_users")
def test_a_bad_body_is_a_422_listing_every_problem_and_changes_nothing() -> None:
    status, answer = report(
        "PUT",
        "u-admin",
        "m1",
        {
            "sendTime": "25:00",
            "timeZone": "Mars/Olympus",
            "scope": "some",
            "recipients": ["ops@m1.test\r\nBcc: x@evil.test", "not-an-address"],
            "extra": 1,
        },
    )
    assert status == 422
    fields = {p["field"] for p in answer["problems"]}
    assert fields == {
        "sendTime",
        "timeZone",
        "scope",
        "recipients[0]",
        "recipients[1]",
        "extra",
    }
    zone = next(p for p in answer["problems"] if p["field"] == "timeZone")
    assert "Mars/Olympus is not an IANA time zone" in zone["problem"]
    for zone_name in ("../../etc/passwd", "localtime", "", "europe/paris"):
        assert report("PUT", "u-admin", "m1", {**GOOD, "timeZone": zone_name})[0] == 422
    assert report("GET", "u-admin", "m1")[1]["recipients"] == []
