"""Jinja2's sandbox for integrations' payload templates.

No loader (a template cannot read files or import), a budget on `range` and on string and
number blow-ups (it cannot loop or grow without end), and every value it needs but does not
find is collected, so one answer names all of them. Imported only by integrations that have a
template: the functions that deliver without one do not load Jinja2 at cold start.
"""

from functools import cache
from typing import Any

import jinja2
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["TemplateSyntaxError", "compiled", "render"]

RANGE_BUDGET = 100_000
MAX_PRODUCT = 1_000_000


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
def compiled(source: str) -> jinja2.Template:
    environment = _Sandbox(undefined=_MissingValue, autoescape=False)
    environment.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": _json_default}
    return environment.from_string(source)


def _json_default(value: Any) -> Any:
    if isinstance(value, _MissingValue):
        value._note()
        return None
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def render(template: jinja2.Template, variables: dict[str, Any]) -> tuple[str, list[str]]:
    """The rendered text, and the names of the values the template asked for and did not find."""
    missing: list[str] = []
    _MissingValue.missing = missing
    try:
        text = template.render(**variables, range=_budgeted_range())
    finally:
        _MissingValue.missing = []
    return text, missing
