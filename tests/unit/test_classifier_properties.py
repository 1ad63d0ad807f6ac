"""Every input gets exactly one catalog code, and every catalog code is reached by some input."""

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ordersync.catalog.classifier import SYSTEM_CODES, classify
from ordersync.catalog.codes import catalog
from ordersync.catalog.errors import TRANSIENT_ERRORS_BY_CODE
from ordersync.catalog.platform import (
    DeliveryError,
    PlatformConnectionError,
    PlatformResponse,
    PlatformTimeout,
)
from ordersync.core.models import OperationType, RetryClass
from ordersync.orders.lifecycle import OrderStatus, check
from tests.factories import SHIPMENT
from tests.factories import order_operation as message
from tests.factories import order_state as state

ROOT = Path(__file__).resolve().parents[2]

bodies = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(st.none(), st.text(min_size=1, max_size=8)),
            "code": st.one_of(st.sampled_from(sorted(SYSTEM_CODES)), st.text(max_size=8)),
            "message": st.text(max_size=30),
            "warnings": st.lists(st.text(max_size=10), max_size=2),
            "processed": st.booleans(),
        },
    ),
)
errors = st.sampled_from(
    [
        None,
        PlatformTimeout("t"),
        PlatformConnectionError("c", ambiguous=True),
        DeliveryError("d"),
        KeyError("k"),
    ]
)


@given(
    operation=st.sampled_from(list(OperationType)),
    status=st.integers(min_value=100, max_value=599),
    body=bodies,
    retry_after=st.one_of(st.none(), st.text(max_size=10), st.integers(0, 10_000).map(str)),
    error=errors,
)
def test_every_input_gets_exactly_one_known_code(operation, status, body, retry_after, error):
    text = body if isinstance(body, str) else ("" if body is None else json.dumps(body))
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    response = PlatformResponse(status_code=status, text=text, call="POST /x", headers=headers)
    outcome = classify(
        operation, response=None if error else response, error=error, order_id="WEB-1"
    )
    entry = catalog()[outcome.code]
    assert (outcome.level, outcome.retry_class) == (entry.level, entry.retry_class)
    assert outcome.business_message
    assert outcome.action == entry.action


def reached_by_classifier() -> set[str]:
    reached = set()
    for operation in OperationType:
        for status in (200, 201, 202, 302, 400, 401, 403, 404, 408, 409, 422, 429, 500, 503):
            for body in (
                {"id": "1"},
                {"id": "1", "warnings": ["w"]},
                {"processed": False},
                {},
                "x",
                {"message": "m"},
            ):
                text = json.dumps(body) if isinstance(body, dict) else body
                reached.add(
                    classify(
                        operation, response=PlatformResponse(status, text, "POST /x"), order_id="1"
                    ).code
                )
        for code in SYSTEM_CODES:
            response = PlatformResponse(422, json.dumps({"code": code}), "POST /x")
            reached.add(classify(operation, response=response, order_id="1").code)
        for error in (PlatformTimeout("t"), DeliveryError("d"), KeyError("k")):
            reached.add(classify(operation, error=error, order_id="1").code)
    return reached


def reached_by_rules() -> set[str]:
    reached = set()
    for operation in (
        OperationType.CANCEL,
        OperationType.INVOICE,
        OperationType.SHIPMENT,
        OperationType.REFUND,
    ):
        payload = SHIPMENT if operation is OperationType.SHIPMENT else {"amount": "1"}
        for current in [None, *OrderStatus]:
            for can_cancel in (True, False):
                order = state(current, refunds=["R"]) if current else None
                refusal = check(
                    message(operation, payload, "R"), order, channel_can_cancel=can_cancel
                )
                if refusal:
                    reached.add(refusal.code)
    reached.add(check(message(OperationType.SHIPMENT, {}), None, channel_can_cancel=True).code)
    return reached


# Codes that need a platform, moto or the whole stack to reach; each is asserted in a test there.
REACHED_ELSEWHERE = {
    "Customer Created",
    "Customer Updated",
    "Duplicate Customer",
    "Order Updated",
    "Order Update Failed",
    "Alert Updated",
    "Integration Status Updated",
    "Alert Update Failed",
    "Mapping Unavailable",
    "Insufficient Data",
    "Invalid Schema",
    "Template Error",
    "Rendering Error",
    "Ship Method Mapping Missing",
    "Queued",
    "Verification Overdue",
    "Verification Rejected",
}
# What a person did (ordersync.actions.record): reached by the action tests, not a classifier.
REACHED_ELSEWHERE |= {
    "Retry Requested",
    "Resent With Changes",
    "Marked Synced",
    "Alert Ignored",
    "Alert Unignored",
}
# Raised by the sweeper about an operation waiting in the queue, not by a delivery.
TRANSIENT_WITHOUT_A_DELIVERY_ERROR = {"Queued"}


def test_every_catalog_code_is_reached():
    reached = reached_by_classifier() | reached_by_rules()
    assert set(catalog()) - reached == REACHED_ELSEWHERE - reached


def test_codes_reached_elsewhere_are_asserted_in_those_tests():
    sources = "\n".join(
        path.read_text()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != Path(__file__).name
    )
    for code in REACHED_ELSEWHERE:
        assert re.search(rf'["\']{re.escape(code)}["\']', sources), f"no test asserts {code}"


def test_every_transient_code_has_a_workflow_error_to_retry_on():
    transient = {
        code for code, entry in catalog().items() if entry.retry_class is RetryClass.TRANSIENT
    } - TRANSIENT_WITHOUT_A_DELIVERY_ERROR
    assert transient == set(TRANSIENT_ERRORS_BY_CODE)
    asl = (ROOT / "statemachines/order_operation.asl.json").read_text()
    # An order not created yet waits minutes (SQS redelivery), not seconds (the workflow's Retry).
    left_to_the_queue = {"OrderNotReadyError"}
    for error in TRANSIENT_ERRORS_BY_CODE.values():
        assert (f'"{error.__name__}"' in asl) != (error.__name__ in left_to_the_queue), (
            error.__name__
        )
