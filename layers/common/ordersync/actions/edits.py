"""The fields a code points at: what a person may correct in an alert's operation body before
resending it, one list for the resolve page and the console order page. The fields come from
the channel's own request model for the operation (`actions.bodies.MODELS`), so a form never
offers what the channel could not send, and the corrected body is validated as the channel's
request is (`bodies.corrected_body`) by the resend itself.

Which fields: those a code always points at (`FIXED`), and, for a code whose fix may be any
field of the body (a mapping's missing values, a schema's failing paths, a platform's
rejection), the fields its message names: a body path (`shippingAddress.postalCode`), a
field's name alone (`postalCode`, `postal code`), or a group (`shippingAddress`,
`shipping address`: all of its fields). A code that names no field offers no form: retry, mark
as synced or ignore remain."""

import copy
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, HttpUrl

from ordersync.actions.bodies import IDENTITY, MODELS
from ordersync.alerts.models import Alert
from ordersync.core.models import OperationType

Path = tuple[str, ...]

FIXED: dict[str, Path] = {
    # The status rules hold a shipment without all three (orders.lifecycle.SHIPPING_DATA).
    "Missing Shipping Data": ("carrier", "trackingNumber", "trackingUrl"),
    # Another method the integration's ship-method map knows is a fix made on the order.
    "Ship Method Mapping Missing": ("shippingMethod",),
}
NAMING = frozenset(
    {
        "Insufficient Data",
        "Invalid Schema",
        "Rendering Error",
        "Order Creation Failed",
        "Order Update Failed",
        "Order Cancellation Failed",
        "Order Invoice Creation Failed",
        "Order Shipment Update Failed",
        "Refund Creation Failed",
        "Not Processed",
        "Verification Rejected",
        "Invalid Status Transition",
    }
)
# Codes that wait for a person whose fix is not a field of the body: the platform's records,
# the integration's credentials or template, the channel's back office, or a look on the
# platform (retry, mark as synced or ignore). tests/unit/test_edits.py holds every such code of
# the catalog to one of FIXED, NAMING or this.
ELSEWHERE = frozenset(
    {
        "Duplicate Customer",
        "Duplicate Refund",
        "Order Already Cancelled",
        "Order Cancelled In Channel",
        "Not Found",
        "Invalid Api Response",
        "Unauthorized",
        "Forbidden",
        "Alert Update Failed",
        "Unknown Error",
        "Template Error",
        "Cancellation Not Available",
        "Verification Overdue",
    }
)
# Other words a message may name a group or field by ("the address is incomplete").
ALIASES: dict[str, tuple[str, ...]] = {
    "shippingAddress": ("address",),
    "shippingMethod": ("ship method",),
}
# Names too common in prose to mean the field when they stand alone.
VAGUE = frozenset({"name"})
ACRONYMS = {"url": "URL", "id": "ID"}


@dataclass(frozen=True)
class EditField:
    name: str  # the dotted path in the body, and the form field's name
    label: str
    kind: str  # the input's type: text, url or email
    value: str = ""

    @property
    def anchor(self) -> str:
        """The path as an HTML id (a dot would read as a class in a CSS selector)."""
        return self.name.replace(".", "-")


def _words(name: str) -> str:
    """`trackingUrl` as people write it: `tracking URL`."""
    parts = re.findall(r"[a-z]+|[A-Z][a-z]*|\d+", name)
    return " ".join(ACRONYMS.get(p.lower(), p.lower()) for p in parts)


def _label(path: Path) -> str:
    leaf = _words(path[-1])
    text = f"{_words(path[-2])}: {leaf}" if len(path) > 1 else leaf
    return text[0].upper() + text[1:]


def _plain(annotation: Any) -> Any:
    """`X | None` as X; anything else as it is."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def leaves(model: type[BaseModel], prefix: Path = ()) -> list[tuple[Path, str]]:
    """Every field of `model` a form can hold, as (body path, input type): strings, numbers,
    moments and URLs, nested models' fields too; not lists or booleans."""
    found: list[tuple[Path, str]] = []
    for name, info in model.model_fields.items():
        path = (*prefix, info.alias or name)
        kind = _plain(info.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found += leaves(kind, path)
        elif get_origin(kind) is list or kind is bool:
            continue
        else:
            found.append(
                (path, "url" if kind is HttpUrl else "email" if name == "email" else "text")
            )
    return found


def _mentions(text: str, term: str, *, whole: bool = False) -> bool:
    """`term` in `text` as a word; `whole`: not as the start of a path into it (a group named
    in `shippingAddress.region` is not the whole group)."""
    after = r"(?![a-z0-9]|\.[a-z])" if whole else r"(?![a-z0-9])"
    return re.search(rf"(?<![a-z0-9]){re.escape(term.lower())}{after}", text) is not None


def _group_named(text: str, group: str) -> bool:
    terms = (group, _words(group), *ALIASES.get(group, ()))
    return any(_mentions(text, term, whole=True) for term in terms)


def _named(text: str, path: Path, payload: dict[str, Any]) -> bool:
    lowered = text.lower()
    if _mentions(lowered, ".".join(path)):
        return True
    if len(path) > 1 and _group_named(lowered, path[-2]):
        return True
    if len(path) > 1 and _get(payload, path[:-1]) is None:
        return False  # a field of a group the order does not have: only if the group is named
    leaf = path[-1]
    if leaf in VAGUE:
        return False
    return any(_mentions(lowered, term) for term in (leaf, _words(leaf), *ALIASES.get(leaf, ())))


def _get(body: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


def fields_for(alert: Alert, payload: dict[str, Any]) -> list[EditField]:
    """The fields `alert`'s code points at in its operation's body, filled with what the body
    holds now; [] when its fix is not a field of the body."""
    operation = OperationType(alert.operation)
    identity = IDENTITY.get(operation, ("", ""))[0]
    fixed = FIXED.get(alert.outcome.code, ())
    naming = alert.outcome.code in NAMING
    found = []
    for path, kind in leaves(MODELS[operation]):
        if path == (identity,):
            continue  # what names the operation cannot be corrected into another one
        if ".".join(path) in fixed or (
            naming and _named(alert.outcome.business_message, path, payload)
        ):
            value = _get(payload, path)
            found.append(
                EditField(".".join(path), _label(path), kind, "" if value is None else str(value))
            )
    return found


def corrected(
    payload: dict[str, Any], fields: list[EditField], form: Mapping[str, str]
) -> dict[str, Any]:
    """The body with the form's values for `fields`: a field the form does not hold keeps its
    value, a blank one is removed (and a group left empty with it)."""
    body = copy.deepcopy(payload)
    for field in fields:
        if field.name not in form:
            continue
        path, value = field.name.split("."), form[field.name].strip()
        parents = [body]
        for part in path[:-1]:
            child = parents[-1].get(part)
            if not isinstance(child, dict):
                child = {}
                parents[-1][part] = child
            parents.append(child)
        if value:
            parents[-1][path[-1]] = value
            continue
        parents[-1].pop(path[-1], None)
        for depth in range(len(path) - 1, 0, -1):  # an emptied group goes too
            if parents[depth]:
                break
            parents[depth - 1].pop(path[depth - 1], None)
    return body
