"""The daily report's form on the console's Settings page: admins only, CSRF-checked, a 422
page that lists every problem and keeps what was typed, saved through the same service as
PUT /v1/settings/report."""

from ordersync.reports.models import ReportScope
from ordersync.reports.store import ReportStore
from tests.console_harness import csrf_of, signed_in

FORM = {
    "sendTime": "06:45",
    "timeZone": "America/New_York",
    "scope": "failed",
    "recipients": "Ops@demo-merchant.test\r\n\r\nfinance@demo-merchant.test, ops@demo-merchant.test",
}


def test_an_admin_sets_the_daily_report_from_the_settings_page(console):
    admin = signed_in("admin@demo-merchant.test")
    page = admin.get("/console/settings")
    assert 'id="daily-report"' in page.body
    assert '<label for="report-zone">' in page.body
    saved = admin.post("/console/settings/report", {**FORM, "csrf": csrf_of(page.body)})
    assert (saved.status, saved.location) == (303, "/console/settings")
    stored = ReportStore().get("demo-merchant")
    assert (stored.send_time, stored.time_zone, stored.scope) == (
        "06:45",
        "America/New_York",
        ReportScope.FAILED,
    )
    assert stored.recipients == ["ops@demo-merchant.test", "finance@demo-merchant.test"]
    shown = admin.get("/console/settings").body
    assert 'value="06:45"' in shown
    assert "ops@demo-merchant.test\nfinance@demo-merchant.test</textarea>" in shown
    # Every address removed: the report is off.
    admin.post("/console/settings/report", {**FORM, "recipients": "", "csrf": csrf_of(shown)})
    assert ReportStore().get("demo-merchant").recipients == []


def test_a_refused_form_lists_every_problem_keeps_the_input_and_changes_nothing(console):
    admin = signed_in("admin@demo-merchant.test")
    page = admin.get("/console/settings")
    bad = {
        "sendTime": "7pm",
        "timeZone": "Moon/Base",
        "scope": "some",
        "recipients": "ok@demo-merchant.test\nnot an address",
    }
    answer = admin.post("/console/settings/report", {**bad, "csrf": csrf_of(page.body)})
    assert answer.status == 422
    for problem in (
        "Send time: write it as HH:MM",
        "Time zone: Moon/Base is not an IANA time zone",
        "What it lists:",
        "Recipients (address 2): not an email address",
    ):
        assert problem in answer.body
    assert 'value="Moon/Base"' in answer.body  # what was typed, to correct
    assert ReportStore().get("demo-merchant").recipients == []


def test_only_an_admin_with_this_sessions_token_saves_it(console):
    admin = signed_in("admin@demo-merchant.test")
    forged = admin.post("/console/settings/report", {**FORM, "csrf": "forged"})
    assert forged.status == 403
    operator = signed_in("operator@demo-merchant.test")
    token = csrf_of(operator.get("/console/overview").body)
    refused = operator.post("/console/settings/report", {**FORM, "csrf": token})
    assert refused.status == 403
    assert ReportStore().get("demo-merchant").recipients == []
