"""The local stream poller's FilterCriteria (local/streams.py): EventBridge patterns, matched
as Lambda matches them against a DynamoDB stream record, here the notifier's own patterns."""

import pytest

from local.streams import RecordFilter, filter_patterns
from local.template import LocalTemplate


def _notifier_filter() -> RecordFilter:
    patterns = filter_patterns(LocalTemplate.load().sam, "NotifierFunction")
    assert len(patterns) == 2
    return RecordFilter(patterns)


def _change(new: dict | None, name: str = "MODIFY") -> dict:
    change = {"Keys": {"pk": {"S": "m"}}, "SequenceNumber": "1"}
    if new is not None:
        change["NewImage"] = {"pk": {"S": "m"}, **new}
    return {"eventName": name, "dynamodb": change}


@pytest.mark.parametrize(
    ("new", "passes"),
    [
        (
            {"needsAction": {"S": "m"}, "status": {"S": "open"}, "code": {"S": "SKU Not Found"}},
            True,
        ),
        ({"status": {"S": "open"}, "code": {"S": "Queued"}}, True),
        ({"status": {"S": "open"}, "code": {"S": "Verification Overdue"}}, True),
        # A success, a transient failure still retried, a flag that was resolved
        ({"status": {"S": "resolved"}, "code": {"S": "Order Created"}}, False),
        ({"status": {"S": "open"}, "code": {"S": "Platform Unavailable"}}, False),
        ({"status": {"S": "resolved"}, "code": {"S": "Queued"}}, False),
        # A key that only looks alike is not the needs-action key
        ({"needsActionAt": {"S": "x"}, "status": {"S": "open"}, "code": {"S": "Timeout"}}, False),
    ],
)
def test_the_notifier_gets_only_changes_that_may_need_a_person(new, passes):
    assert _notifier_filter().passes(_change(new)) is passes


def test_a_removed_alert_has_no_new_image_and_is_dropped():
    assert _notifier_filter().passes(_change(None, name="REMOVE")) is False


def test_a_mapping_without_filter_criteria_passes_everything():
    assert RecordFilter(()).passes(_change(None, name="REMOVE")) is True
