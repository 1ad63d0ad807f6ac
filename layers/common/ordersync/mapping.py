"""Channel payload (content source) to the platform's payload (content translated).

An integration may give a Jinja2 template per operation that renders the platform's JSON. It
runs in Jinja2's sandbox with no loader (it cannot read files or import), with a budget on
`range` and on string and number blow-ups (it cannot loop or grow without end), and every
value it needs but does not find is collected, so one answer names all of them.
"""

import json
from functools import cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft202012Validator

from ordersync.config import Integration
from ordersync.models import OperationMessage, OperationType

RANGE_BUDGET = 100_000
MAX_PRODUCT = 1_000_000


class MappingProblem(Exception):
    """The operation cannot be mapped; `code` is its catalog code, `facts` fill its message."""

    def __init__(self, code: str, **facts: Any) -> None:
        super().__init__(f"{code}: {facts}")
        self.code = code
        self.facts = facts


class _MissingValue(jinja2.ChainableUndefined):
    """A value the template asked for and the order does not have: noted, rendered as empty."""

    missing: list[str]

    def _note(self) -> None:
        self.missing.append(self._undefined_name or "?")

    def __str__(self) -> str:
        self._note()
        return ""

    def __iter__(self) -> Any:
        self._note()
        return iter(())


class _Sandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        # Fail loudly rather than render an empty value for a sandbox escape attempt.
        raise jinja2.exceptions.SecurityError(f"access to {attribute!r} is not allowed")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and abs(right) > 64:
            raise jinja2.exceptions.SecurityError("exponent too large")
        if (
            operator == "*"
            and isinstance(left, str | list)
            and isinstance(right, int)
            and len(left) * right > MAX_PRODUCT
        ):
            raise jinja2.exceptions.SecurityError("product too large")
        return super().call_binop(context, operator, left, right)


def _budgeted_range() -> Any:
    spent = [0]

    def bounded_range(*args: int) -> range:
        numbers = range(*args)
        spent[0] += len(numbers)
        if spent[0] > RANGE_BUDGET:
            raise jinja2.exceptions.SecurityError(
                f"loops may run at most {RANGE_BUDGET} times in all"
            )
        return numbers

    return bounded_range


@cache
def _compiled(source: str) -> jinja2.Template:
    environment = _Sandbox(undefined=_MissingValue, autoescape=False)
    environment.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": _json_default}
    return environment.from_string(source)


def _json_default(value: Any) -> Any:
    if isinstance(value, _MissingValue):
        value._note()
        return None
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _default(message: OperationMessage) -> dict[str, Any]:
    # Without a template the validated channel payload goes as it is, tagged with its origin.
    return {**message.payload, "externalId": message.order_id, "channel": message.channel_id}


def _ship_method(message: OperationMessage, integration: Integration) -> str | None:
    method = message.payload.get("shippingMethod")
    if integration.ship_method_map is None or message.operation is not OperationType.CREATE:
        return method
    if method not in integration.ship_method_map:
        raise MappingProblem("Ship Method Mapping Missing", detail=method or "(none)")
    return integration.ship_method_map[method]


def translate(
    message: OperationMessage, integration: Integration, platform_order_id: str | None = None
) -> dict[str, Any]:
    ship_method = _ship_method(message, integration)
    source = integration.templates.get(message.operation)
    if source is None:
        translated = _default(message)
        if ship_method is not None and integration.ship_method_map is not None:
            translated["shippingMethod"] = ship_method
    else:
        translated = _render(source, message, ship_method, platform_order_id)
    schema = integration.schemas.get(message.operation)
    if schema is not None:
        problems = sorted(
            f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in Draft202012Validator(schema).iter_errors(translated)
        )
        if problems:
            raise MappingProblem("Invalid Schema", problems="; ".join(problems))
    return translated


def _render(
    source: str, message: OperationMessage, ship_method: str | None, platform_order_id: str | None
) -> dict[str, Any]:
    try:
        template = _compiled(source)
    except jinja2.TemplateSyntaxError as error:
        raise MappingProblem(
            "Template Error", detail=f"line {error.lineno}: {error.message}"
        ) from error
    missing: list[str] = []
    _MissingValue.missing = missing
    try:
        text = template.render(
            order=message.payload,
            order_id=message.order_id,
            reference=message.reference,
            operation=message.operation.value,
            channel=message.channel_id,
            ship_method=ship_method,
            platform_order_id=platform_order_id,
            range=_budgeted_range(),
        )
    except Exception as error:  # whatever a template does wrong while rendering
        raise MappingProblem(
            "Rendering Error", detail=f"{type(error).__name__}: {error}"
        ) from error
    finally:
        _MissingValue.missing = []
    if missing:
        raise MappingProblem(
            "Insufficient Data",
            problems=", ".join(f"{name} is missing" for name in dict.fromkeys(missing)),
        )
    try:
        rendered = json.loads(text)
    except ValueError as error:
        raise MappingProblem(
            "Rendering Error", detail=f"the template did not produce JSON ({error})"
        ) from error
    if not isinstance(rendered, dict):
        raise MappingProblem("Rendering Error", detail="the template must produce a JSON object")
    return rendered
