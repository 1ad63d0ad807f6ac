from datetime import timedelta

import pytest

from ordersync.alerts.repository import AlertStore
from ordersync.catalog.errors import PlatformUnavailableError
from ordersync.operations.models import WorkflowInput
from ordersync.operations.outcomes import record_outcome
from ordersync.operations.records import OperationStore
from tests.factories import caught
from tests.factories import delivery_summary as summary


@pytest.fixture
def message(accepted, order_request):
    return accepted(order_request)


def test_success_syncs_the_operation_and_resolves_the_alert(message):
    result = record_outcome(
        WorkflowInput(message=message, delivery=summary("Order Created", system_identifier="PO-9"))
    )
    assert (result.disposition, result.status.value) == ("done", "synced")
    alert = AlertStore().get("m1", message.entity_key)
    assert alert.status.value == "resolved"
    assert alert.outcome.level.value == "success"
    operation = OperationStore().get(message.operation_id)
    assert operation.status.value == "synced"
    assert operation.last_response.system_identifier == "PO-9"


def test_exhausted_transient_retries_go_back_to_the_queue_with_an_open_alert(message):
    error = PlatformUnavailableError(summary("Platform Unavailable", attempt=3, http_code=500))
    result = record_outcome(WorkflowInput(message=message, run=1, failure=caught(error)))
    assert (result.disposition, result.status.value, result.code) == (
        "retry",
        "failed",
        "Platform Unavailable",
    )
    alert = AlertStore().get("m1", message.entity_key)
    assert alert.status.value == "open"
    assert alert.outcome.level.value == "error"
    assert alert.outcome.action
    assert "500" in alert.outcome.business_message
    assert alert.next_step.startswith("retrying automatically (run 1 done; retried until ")
    assert alert.next_step.endswith(" and at least 10 runs)")
    operation = OperationStore().get(message.operation_id)
    assert (operation.attempts, operation.where) == (3, alert.next_step)


def test_the_last_run_of_the_budget_sends_the_operation_to_the_dead_letter_queue(message):
    error = PlatformUnavailableError(summary("Platform Unavailable", attempt=30))
    sixteen_days_old = message.model_copy(
        update={"accepted_at": message.accepted_at - timedelta(days=16)}
    )
    result = record_outcome(WorkflowInput(message=sixteen_days_old, run=10, failure=caught(error)))
    assert (result.disposition, result.status.value) == ("dead_letter", "skipped")
    assert "dead-letter queue" in OperationStore().get(message.operation_id).where


def test_a_needs_action_error_is_held_not_retried(message):
    result = record_outcome(
        WorkflowInput(message=message, delivery=summary("Order Creation Failed", detail="bad SKU"))
    )
    assert (result.disposition, result.status.value) == ("done", "failed")
    alert = AlertStore().get("m1", message.entity_key)
    assert alert.next_step == "waiting for a person: edit and resend, or retry"


def test_an_unclassified_crash_is_retried_as_unknown_error(message):
    failure = {"Error": "States.Timeout", "Cause": "task timed out"}
    result = record_outcome(WorkflowInput(message=message, failure=failure))
    assert (result.disposition, result.code) == ("retry", "Unknown Error")
    assert "States.Timeout" in AlertStore().get("m1", message.entity_key).outcome.business_message
