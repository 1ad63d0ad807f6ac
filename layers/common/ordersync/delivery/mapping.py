"""Channel payload (content source) to the platform's payload (content translated).

An integration may give a Jinja2 template per operation that renders the platform's JSON
(`ordersync.templating`: a sandbox, budgets, every missing value collected so one answer names
all of them), and a JSON Schema the result must satisfy. Both are loaded only when an
integration has one.
"""

import json
from typing import Any

from ordersync.config.models import Integration
from ordersync.core.models import OperationMessage, OperationType


class MappingProblem(Exception):
    """The operation cannot be mapped; `code` is its catalog code, `facts` fill its message."""

    def __init__(self, code: str, **facts: Any) -> None:
        super().__init__(f"{code}: {facts}")
        self.code = code
        self.facts = facts


def _default(message: OperationMessage) -> dict[str, Any]:
    # Without a template the validated channel payload goes as it is, tagged with its origin;
    # the platform keys the order by `externalId`, the channel's order id in its namespace.
    return {
        **message.payload,
        "externalId": message.external_order_id,
        "channel": message.channel_id,
    }


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
        from jsonschema import Draft202012Validator

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
    from ordersync.delivery import templating

    try:
        template = templating.compiled(source)
    except templating.TemplateSyntaxError as error:
        raise MappingProblem(
            "Template Error", detail=f"line {error.lineno}: {error.message}"
        ) from error
    try:
        text, missing = templating.render(
            template,
            {
                "order": message.payload,
                "order_id": message.order_id,
                "external_id": message.external_order_id,
                "reference": message.reference,
                "operation": message.operation.value,
                "channel": message.channel_id,
                "ship_method": ship_method,
                "platform_order_id": platform_order_id,
            },
        )
    except Exception as error:  # whatever a template does wrong while rendering
        raise MappingProblem(
            "Rendering Error", detail=f"{type(error).__name__}: {error}"
        ) from error
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
