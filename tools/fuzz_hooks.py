"""Schemathesis hooks for `make fuzz` (SCHEMATHESIS_HOOKS=tools.fuzz_hooks): the two rules the
OpenAPI document can state only in words, applied to the cases schemathesis means to be valid,
so that `positive_data_acceptance` tests the API rather than the limits of JSON Schema:

- a moment is at most a day from now (a bound that moves with the clock; the lower bound,
  2000-01-01, is in the document's pattern);
- an order's grandTotal is the sum of its parts (a relation between fields).

Negative cases are left alone: every way they break the document is still sent and must still
be refused.
"""

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import schemathesis
from pydantic import TypeAdapter, ValidationError
from schemathesis.generation import GenerationMode

from ordersync.orders.fields import AHEAD, MONEY_MAXIMUM, Count, Money

MOMENTS = ("placedAt", "issuedAt", "shippedAt", "cancelledAt")
_money = TypeAdapter(Money)
_count = TypeAdapter(Count)


def _not_ahead(body: dict[str, Any]) -> None:
    latest = datetime.now(UTC) + AHEAD - timedelta(minutes=5)
    for field in MOMENTS:
        value = body.get(field)
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            continue
        if moment.tzinfo is not None and moment > latest:
            body[field] = latest.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parts(body: dict[str, Any]) -> Decimal:
    lines = sum(
        (_money.validate_python(line["unitPrice"]) * _count.validate_python(line["quantity"]))
        for line in body["lines"]
    )
    tax = Decimal(0) if body.get("pricesIncludeTax") is True else _total(body, "taxTotal")
    return Decimal(lines) + _total(body, "shippingTotal") + tax - _total(body, "discountTotal")


def _total(body: dict[str, Any], field: str) -> Decimal:
    return _money.validate_python(body.get(field, "0"))


def _adds_up(body: dict[str, Any]) -> None:
    try:
        expected = _parts(body)
        if not Decimal(0) <= expected <= MONEY_MAXIMUM:
            # Parts that cannot add up to an amount at all: small prices, no extras.
            for line in body["lines"]:
                line["unitPrice"] = "1.25"
            body.update(shippingTotal="0", taxTotal="0", discountTotal="0")
            expected = _parts(body)
    except (KeyError, TypeError, ValidationError):
        return  # a part is missing or invalid: the API reports that, not the total
    body["grandTotal"] = str(expected)


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return case
    if case.method.upper() == "POST" and isinstance(case.body, dict):
        # A copy: generated cases can share nested containers, and one case's fix must not
        # leak into another (a coverage case kept another's prices, not its total).
        body = copy.deepcopy(case.body)
        _not_ahead(body)
        if case.path == "/v1/orders":
            _adds_up(body)
        case.body = body
    return case
