"""Ignoring an alert hides it from the alert list's default view without deleting it: it is
listed again when asked for (`ignored=true`, `status=ignored`). A bulk job by filter reads its
filter as the list does (`actions.jobs.parse_filter`), so it acts on what the list shows."""

from ordersync.alerts import policy
from ordersync.alerts.ids import find
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery
from ordersync.catalog.codes import outcome
from tests.factories import operation_message


def listed(merchant: str, **params: str) -> set[str]:
    page = list_alerts(merchant, AlertQuery.parse({**params, "columns": "orderId"}))
    return {row["orderId"] for row in page.items}


def test_an_ignored_alert_leaves_the_default_view_and_is_listed_when_asked_for(stack):
    for merchant in ("m1", "m2"):
        for order in ("WEB-1", "WEB-2", "WEB-3"):
            message = operation_message({}, merchant_id=merchant, order_id=order)
            policy.record(message, outcome("Timeout", order_id=order), next_step="…", attempts=1)
    (row,) = list_alerts("m1", AlertQuery.parse({"identifier": "WEB-2"})).items

    assert policy.set_ignored(find("m1", row["alertId"]), True)

    assert listed("m1") == listed("m1", ignored="false") == {"WEB-1", "WEB-3"}
    assert listed("m1", code="Timeout", status="open") == {"WEB-1", "WEB-3"}
    assert listed("m1", ignored="true") == listed("m1", status="ignored") == {"WEB-2"}
    assert find("m1", row["alertId"]).ignored, "ignoring deletes nothing"
    assert listed("m2") == {"WEB-1", "WEB-2", "WEB-3"}, "another merchant's view is untouched"
