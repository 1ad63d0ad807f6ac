"""Resolving a template's references to resources the local stack made itself (or that moto does
not create), before moto's CloudFormation sees the template."""

import re
from typing import Any


def substitute(value: Any, parameters: dict[str, str]) -> str:
    """A literal, or a Fn::Sub of parameters only, as CloudFormation would resolve it."""
    text = value["Fn::Sub"] if isinstance(value, dict) else str(value)
    for parameter, given in parameters.items():
        text = text.replace(f"${{{parameter}}}", given)
    return str(text)


def resolve_created(value: Any, created: dict[str, dict[str, str]]) -> Any:
    """`value` with every Ref, GetAtt and ${Name} of a resource in `created` replaced."""
    if not created:
        return value
    if isinstance(value, list):
        return [resolve_created(item, created) for item in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Ref"] and value["Ref"] in created:
        return created[value["Ref"]]["Ref"]
    if list(value) == ["Fn::GetAtt"]:
        target = value["Fn::GetAtt"]
        name, attribute = target if isinstance(target, list) else target.split(".", 1)
        if name in created:
            return created[name][attribute]
    if list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        for name, values in created.items():
            text = text.replace(f"${{{name}}}", values["Ref"])
        return {"Fn::Sub": text}
    return {key: resolve_created(item, created) for key, item in value.items()}


def substituted(definition: str, substitutions: dict[str, Any]) -> Any:
    """A state machine's definition with its DefinitionSubstitutions (`${Name}`) put in, as a
    Fn::Join moto resolves. Not a Fn::Sub: moto's runs string.Template over the text, which
    turns ASL's `$$.` (the context object, say `$$.State.RetryCount`) into `$.`."""
    if not substitutions:
        return definition
    pattern = "|".join(re.escape(f"${{{name}}}") for name in substitutions)
    parts: list[Any] = []
    for piece in re.split(f"({pattern})", definition):
        name = piece[2:-1]
        known = name in substitutions and piece == f"${{{name}}}"
        parts.append(substitutions[name] if known else piece)
    return {"Fn::Join": ["", [part for part in parts if part != ""]]}
