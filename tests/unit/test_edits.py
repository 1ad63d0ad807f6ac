"""The fields a code points at (ordersync.actions.edits): which each code's form offers, and
the body a form's values make. No AWS."""

from typing import Any

import pytest

from ordersync.actions.edits import ELSEWHERE, FIXED, NAMING, corrected, fields_for
from ordersync.alerts.models import Alert
from ordersync.catalog.codes import catalog
from ordersync.core.models import RetryClass
from tests.factories import an_alert, load_event

ORDER = load_event("requests/create_order.json")
SHIPMENT = {"shipmentId": "S1", "shippedAt": "2026-11-25T08:00:00Z", "carrier": "DHL"}
INVOICE = {"invoiceNumber": "INV-1", "issuedAt": "2026-11-25T08:00:00Z", "currency": "EUR"}
REFUND = {"refundId": "R1", "amount": "5.00", "currency": "EUR"}
ADDRESS = [
    f"shippingAddress.{name}"
    for name in ("name", "line1", "line2", "city", "region", "postalCode", "country", "phone")
]


def _alert(code: str, message: str, operation: str = "create") -> Alert:
    alert = an_alert(code=code, operation=operation)
    outcome = alert.outcome.model_copy(update={"business_message": message})
    return alert.model_copy(update={"outcome": outcome})


def _fields(code: str, message: str, operation: str = "create", payload: Any = None) -> list[str]:
    return [field.name for field in fields_for(_alert(code, message, operation), payload or ORDER)]


@pytest.mark.parametrize(
    ("code", "operation", "payload", "message", "expected"),
    [
        (
            "Missing Shipping Data",
            "shipment",
            SHIPMENT,
            "Shipment S1 of order W lacks a tracking number.",
            ["carrier", "trackingNumber", "trackingUrl"],
        ),
        (
            "Ship Method Mapping Missing",
            "create",
            ORDER,
            "Shipping method EXPRESS of order W is not mapped to a platform ship method.",
            ["shippingMethod"],
        ),
        (  # a template's missing value, by its bare name: the group the order has
            "Insufficient Data",
            "create",
            ORDER,
            "Order W lacks data the mapping needs: postalCode is missing",
            ["shippingAddress.postalCode"],
        ),
        (  # a schema's path: that field, not its whole group
            "Invalid Schema",
            "create",
            ORDER,
            "The mapped create of order W does not fit the platform: "
            "shippingAddress.region: None is not of type 'string'",
            ["shippingAddress.region"],
        ),
        (  # an address mapping problem, in a platform's words: the shipping address fields
            "Order Creation Failed",
            "create",
            ORDER,
            "The platform refused to create order W: the address could not be mapped",
            ADDRESS,
        ),
        (
            "Order Invoice Creation Failed",
            "invoice",
            INVOICE,
            "The platform refused invoice INV-1 of order W: total does not match; url missing",
            ["total", "url"],
        ),
        (
            "Refund Creation Failed",
            "refund",
            REFUND,
            "The platform refused refund R1 of order W: amount above what was paid",
            ["amount"],
        ),
        (  # a status is not a field of the body: retry once the order is right
            "Invalid Status Transition",
            "shipment",
            SHIPMENT,
            "Order W is cancelled; the shipment needs it to be accepted or invoiced or shipped.",
            [],
        ),
        (  # what names the operation is never offered, even when named
            "Order Creation Failed",
            "create",
            ORDER,
            "The platform refused to create order W: orderId already used",
            [],
        ),
        (  # the fix is on the platform, whatever the message says
            "Duplicate Customer",
            "create",
            ORDER,
            "The platform refused to create customer ada@example.com: customer email exists.",
            [],
        ),
    ],
)
def test_each_code_offers_the_fields_it_points_at(
    code: str, operation: str, payload: dict[str, Any], message: str, expected: list[str]
) -> None:
    assert _fields(code, message, operation, payload) == expected


def test_a_field_of_a_group_the_order_lacks_is_offered_only_when_the_group_is_named() -> None:
    assert "billingAddress.postalCode" not in _fields("Invalid Schema", "postalCode: too long")
    named = _fields("Invalid Schema", "billingAddress: 'line1' is a required property")
    assert "billingAddress.line1" in named


def test_fields_are_labelled_and_typed_and_hold_the_bodys_values() -> None:
    alert = an_alert(code="Missing Shipping Data", operation="shipment")
    fields = {f.name: f for f in fields_for(alert, SHIPMENT)}
    assert [(f.label, f.kind, f.value) for f in fields.values()] == [
        ("Carrier", "text", "DHL"),
        ("Tracking number", "text", ""),
        ("Tracking URL", "url", ""),
    ]
    (postal,) = fields_for(_alert("Insufficient Data", "postal code is missing"), ORDER)
    assert (postal.label, postal.value, postal.anchor) == (
        "Shipping address: postal code",
        "SW1Y 4JH",
        "shippingAddress-postalCode",
    )


def test_every_code_that_waits_for_a_person_says_whether_its_fix_is_a_field() -> None:
    waiting = {
        code
        for code, entry in catalog().items()
        if entry.retry_class in (RetryClass.NEEDS_ACTION, RetryClass.FINAL)
    }
    placed = set(FIXED) | NAMING | ELSEWHERE
    assert waiting - placed == set()
    assert placed - set(catalog()) == set()
    assert not (set(FIXED) | NAMING) & ELSEWHERE


def test_a_correction_sets_nested_values_removes_blanks_and_keeps_what_the_form_lacks() -> None:
    fields = fields_for(_alert("Order Creation Failed", "bad address"), ORDER)
    body = corrected(
        ORDER,
        fields,
        {"shippingAddress.postalCode": " EC1A 1BB ", "shippingAddress.line2": "", "lines": "x"},
    )
    assert body["shippingAddress"]["postalCode"] == "EC1A 1BB"
    assert "line2" not in body["shippingAddress"]
    assert body["shippingAddress"]["city"] == ORDER["shippingAddress"]["city"]  # not in the form
    assert body["lines"] == ORDER["lines"]  # not a field the code points at
    assert ORDER["shippingAddress"]["postalCode"] == "SW1Y 4JH"  # the original is untouched


def test_a_group_emptied_by_the_form_is_removed() -> None:
    payload = {**ORDER, "billingAddress": {"name": "A", "line1": "1", "city": "C"}}
    fields = fields_for(_alert("Invalid Schema", "billingAddress is wrong"), payload)
    assert len(fields) == 8
    blank = {f.name: "" for f in fields}
    assert "billingAddress" not in corrected(payload, fields, blank)
