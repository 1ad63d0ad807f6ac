"""Schemathesis hooks for `make fuzz` (SCHEMATHESIS_HOOKS=tools.fuzz_hooks): the two rules the
OpenAPI document can state only in words, applied to the cases schemathesis means to be valid,
so that `positive_data_acceptance` tests the API rather than the limits of JSON Schema:

- a moment is at most a day from now (a bound that moves with the clock; the lower bound,
  2000-01-01, is in the document's pattern);
- an order's grandTotal is the sum of its parts (a relation between fields);
- a list's cursor is one the API gave (opaque: a made-up one is refused), its `...Before` is
  later than its `...After`, and `columns=` names a column when it is given; the history has
  no alert-only filters (`ignored`, status open/resolved/ignored);
- the users a notification setting names are the merchant's own (ids no schema can know).

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


LISTS = ("/v1/alerts", "/v1/history", "/v1/orders/{orderId}/history")
ALERTS_ONLY = {"open", "resolved", "ignored"}


def _list_query(path: str, query: dict[str, Any]) -> dict[str, Any]:
    query = {name: value for name, value in query.items() if name != "cursor"}
    if query.get("columns") == "":
        del query["columns"]
    for moment in ("created", "updated"):
        after, before = query.get(f"{moment}After"), query.get(f"{moment}Before")
        if isinstance(after, str) and isinstance(before, str) and before <= after:
            del query[f"{moment}Before"]
    if path.startswith("/v1/history"):
        query.pop("ignored", None)
        if query.get("status") in ALERTS_ONLY:
            del query["status"]
    return query


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return case
    if case.method.upper() == "GET" and case.path.removesuffix("/export") in LISTS:
        case.query = _list_query(case.path, dict(case.query or {}))
        return case
    if case.path == "/v1/settings/notifications" and isinstance(case.body, dict):
        case.body = {**case.body, "users": []}
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
