"""Each action on one alert, and what it refuses, on moto."""

import json

import pytest

from ordersync.actions import service
from ordersync.actions.models import ActionRefused, Actor, InvalidPayload
from ordersync.alerts.ids import UnknownAlert
from ordersync.alerts.repository import AlertStore
from ordersync.history.listing import story
from ordersync.merchants.service import Forbidden
from ordersync.operations.records import OperationStore
from ordersync.orders.repository import OrderStore


def _queued(stack) -> list[dict]:
    answer = stack.sqs.receive_message(
        QueueUrl=stack.resources["OperationsQueue"], MaxNumberOfMessages=10
    )
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


def _status(message) -> str:
    return OperationStore().get(message.operation_id).status.value


def _story(message) -> list:
    records, _ = story("m1", message.entity_key)
    return records


def test_retry_queues_the_operation_again_and_records_who_asked(stack, users, outcome_of):
    message, alert_id = outcome_of()
    done = service.retry(users["granted"], alert_id)
    assert (done.operation_status, done.alert_status, done.by) == (
        "pending",
        "open",
        "granted@m1.test",
    )
    [queued] = _queued(stack)
    assert queued["operationId"] == message.operation_id
    assert queued["payload"] == message.payload
    alert = AlertStore().get("m1", message.entity_key)
    assert alert.next_step == "retried by granted@m1.test; waiting for the new run"
    person = [r for r in _story(message) if r.step == "action"]
    assert [(r.outcome.code, r.actor) for r in person] == [("Retry Requested", "granted@m1.test")]


def test_a_second_retry_while_the_first_waits_is_refused(stack, users, outcome_of):
    _, alert_id = outcome_of()
    service.retry(users["granted"], alert_id)
    with pytest.raises(ActionRefused, match="queued to run already"):
        service.retry(users["granted"], alert_id)
    assert len(_queued(stack)) == 1


def test_retry_of_a_synced_order_or_one_retrying_by_itself_is_refused(stack, users, outcome_of):
    _, synced = outcome_of("Order Created")
    with pytest.raises(ActionRefused, match="resolved"):
        service.retry(users["granted"], synced)
    _, retrying = outcome_of("Order Warning")
    with pytest.raises(ActionRefused, match="synced"):
        service.retry(users["granted"], retrying)


def test_resend_replaces_the_body_under_the_same_operation(stack, users, outcome_of):
    message, alert_id = outcome_of()
    corrected = {**message.payload, "shippingMethod": "express"}
    done = service.resend(users["granted"], alert_id, corrected)
    assert done.operation_status == "pending"
    [queued] = _queued(stack)
    assert queued["operationId"] == message.operation_id
    assert queued["payload"]["shippingMethod"] == "express"
    assert OperationStore().message(message.operation_id).payload["shippingMethod"] == "express"
    [record] = [r for r in _story(message) if r.step == "action"]
    assert record.outcome.code == "Resent With Changes"
    assert json.loads(record.content_source)["shippingMethod"] == "express"


def test_resend_lists_every_problem_of_the_body_and_changes_nothing(stack, users, outcome_of):
    message, alert_id = outcome_of()
    bad = {**message.payload, "orderId": "ANOTHER-1", "currency": "euro"}
    del bad["customer"]
    with pytest.raises(InvalidPayload) as refused:
        service.resend(users["granted"], alert_id, bad)
    fields = sorted(p["loc"][1] for p in refused.value.problems)
    assert fields == ["currency", "customer", "orderId"]
    assert _status(message) == "failed"
    assert _queued(stack) == []


def test_mark_synced_closes_the_operation_resolves_the_alert_and_moves_the_order(
    stack, users, outcome_of
):
    message, alert_id = outcome_of()
    done = service.mark_synced(users["granted"], alert_id)
    assert (done.operation_status, done.alert_status) == ("manually_synced", "resolved")
    item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})
    assert item["syncedBy"]["S"] == "granted@m1.test"
    alert = AlertStore().get("m1", message.entity_key)
    assert alert.outcome.code == "Marked Synced"
    assert "granted@m1.test" in alert.outcome.business_message
    order = OrderStore().get("m1", "erp", "shop", message.order_id)
    assert order is not None
    assert order.status.value == "accepted"
    with pytest.raises(ActionRefused, match="resolved"):
        service.mark_synced(users["granted"], alert_id)
    assert _queued(stack) == []


def test_ignore_hides_the_alert_and_rests_the_operation_until_unignored(stack, users, outcome_of):
    message, alert_id = outcome_of()
    before = stack.item("AlertsTable", {"pk": {"S": "m1"}, "sk": {"S": message.entity_key}})
    assert before["needsAction"]["S"] == "m1"
    done = service.ignore(users["granted"], alert_id)
    assert (done.ignored, done.alert_status, done.operation_status) == (True, "open", "ignored")
    hidden = stack.item("AlertsTable", {"pk": {"S": "m1"}, "sk": {"S": message.entity_key}})
    assert "needsAction" not in hidden  # off the needs-action index, still in the table
    assert hidden["updatedAt"] == before["updatedAt"]  # the lists' order does not change
    with pytest.raises(ActionRefused, match="ignored already"):
        service.ignore(users["granted"], alert_id)
    back = service.unignore(users["granted"], alert_id)
    assert (back.ignored, back.operation_status) == (False, "failed")
    shown = stack.item("AlertsTable", {"pk": {"S": "m1"}, "sk": {"S": message.entity_key}})
    assert shown["needsAction"]["S"] == "m1"
    with pytest.raises(ActionRefused, match="not ignored"):
        service.unignore(users["granted"], alert_id)
    codes = [r.outcome.code for r in _story(message) if r.step == "action"]
    assert codes == ["Alert Ignored", "Alert Unignored"]


def test_a_warning_on_a_synced_order_can_be_ignored_without_touching_the_operation(
    stack, users, outcome_of
):
    _, alert_id = outcome_of("Order Warning")
    done = service.ignore(users["granted"], alert_id)
    assert (done.ignored, done.operation_status) == (True, "synced")


def test_retry_of_an_ignored_alert_runs_it_and_shows_it_again(stack, users, outcome_of):
    _, alert_id = outcome_of()
    service.ignore(users["granted"], alert_id)
    done = service.retry(users["granted"], alert_id)
    assert (done.ignored, done.operation_status) == (False, "pending")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("viewer", False),
        ("operator", False),
        ("admin", False),
        ("granted", True),
        ("granted-admin", True),
    ],
)
def test_only_users_granted_order_sync_act(stack, users, outcome_of, who, allowed):
    message, alert_id = outcome_of()
    if allowed:
        assert service.ignore(users[who], alert_id).ignored
        return
    with pytest.raises(Forbidden, match="viewer reads only" if who == "viewer" else "grants"):
        service.ignore(users[who], alert_id)
    assert _status(message) == "failed"


def test_another_merchant_s_alert_id_is_not_found(stack, users, outcome_of):
    message, alert_id = outcome_of()
    with pytest.raises(UnknownAlert):
        service.retry(users["other"], alert_id)
    with pytest.raises(UnknownAlert):
        service.retry(users["granted"], "not-an-alert-id!")
    assert _status(message) == "failed"


def test_a_resolve_link_acts_under_its_contact_s_name(stack, outcome_of):
    message, alert_id = outcome_of()
    done = service.mark_synced(Actor.resolve_link("m1", "ops@m1.test"), alert_id)
    assert done.by == "resolve link of ops@m1.test"
    [record] = [r for r in _story(message) if r.step == "action"]
    assert record.actor == "resolve link of ops@m1.test"


def test_a_channel_s_correction_of_an_ignored_operation_runs_it_again(stack, users, outcome_of):
    from ordersync.operations import intake

    message, alert_id = outcome_of()
    service.ignore(users["granted"], alert_id)
    corrected = {**message.payload, "shippingMethod": "express"}
    accepted = intake.accept(
        intake.AcceptRequest(
            channel_id="shop",
            merchant_id="m1",
            integration_id="erp",
            operation=message.operation,
            order_id=message.order_id,
            payload=corrected,
        )
    )
    assert accepted.status.value == "pending"
    assert _status(message) == "pending"


def test_a_hand_synced_order_is_listed_by_status_manually_synced(stack, users, outcome_of):
    from ordersync.alerts.listing import list_alerts
    from ordersync.alerts.query import AlertQuery

    _, marked = outcome_of()
    _, waiting = outcome_of()
    service.mark_synced(users["granted"], marked)
    found = list_alerts("m1", AlertQuery.parse({"status": "manually_synced"}))
    assert [row["alertId"] for row in found.items] == [marked]
    assert found.items[0]["operationStatus"] == "manually_synced"
    failed = list_alerts("m1", AlertQuery.parse({"status": "failed"}))
    assert [row["alertId"] for row in failed.items] == [waiting]
