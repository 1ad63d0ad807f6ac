"""The notifier's FilterCriteria (template.yaml) against the alerts table's real stream records:
it never drops a change the notifier would act on (ordersync.notifications.rules), it drops
the rest, and the local stream poller delivers only what passes, as Lambda does."""

from typing import Any

from local.streams import RecordFilter, StreamPoller, filter_patterns
from local.template import LocalTemplate
from ordersync.notifications.rules import newly_unsynced, newly_waiting
from tests.integration.notifications_support import AlertStream, record_alert


def _mapping():
    [mapping] = [
        m for m in LocalTemplate.load().stream_mappings if m.function == "NotifierFunction"
    ]
    return mapping


def _filter() -> RecordFilter:
    return RecordFilter(filter_patterns(LocalTemplate.load().sam, "NotifierFunction"))


def _changes() -> None:
    """An alert's usual lives: fixed after a person's edit, retried until spent, flagged
    unsynced, and created and synced at once."""
    record_alert("Missing Shipping Data", "WEB-1")
    record_alert("Missing Shipping Data", "WEB-1")
    record_alert("Order Created", "WEB-1")
    record_alert("Platform Unavailable", "WEB-2")
    record_alert("Platform Unavailable", "WEB-2", retries_spent=True)
    record_alert("Queued", "WEB-3")
    record_alert("Order Created", "WEB-3")
    record_alert("Order Created", "WEB-4")


def test_every_change_the_notifier_acts_on_passes_and_the_rest_are_dropped(mail: AlertStream):
    _changes()
    records = mail.event()["Records"]
    acted = [r for r in records if newly_waiting(r) or newly_unsynced(r)]
    passed = [r for r in records if _filter().passes(r)]
    assert len(acted) == 3  # WEB-1's first failure, WEB-2's spent retries, WEB-3's flag
    assert all(record in passed for record in acted)
    # (moto's UpdateItem on a new item also streams the bare key first: no code, dropped too)
    dropped = [
        r["dynamodb"]["NewImage"].get("code", {}).get("S") for r in records if r not in passed
    ]
    assert set(dropped) - {None} == {"Order Created", "Platform Unavailable"}


class Invocations:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"batchItemFailures": []}


def test_the_poller_invokes_only_for_records_that_pass_and_moves_past_the_rest(stack):
    functions = Invocations()
    poller = StreamPoller(_mapping(), stack.resources["AlertsTable"], functions)  # type: ignore[arg-type]
    record_alert("Order Created", "WEB-5")
    poller.tick()
    assert functions.events == []
    assert poller.filtered_out >= 1
    assert poller.stream.read() == [], "moved past what it dropped"
    record_alert("Order Created", "WEB-6")
    record_alert("Missing Shipping Data", "WEB-7")
    poller.tick()
    [event] = functions.events
    assert [r["dynamodb"]["NewImage"]["code"]["S"] for r in event["Records"]] == [
        "Missing Shipping Data"
    ]
    poller.tick()  # everything read: nothing delivered twice
    assert len(functions.events) == 1
    assert poller.stream.read() == []
