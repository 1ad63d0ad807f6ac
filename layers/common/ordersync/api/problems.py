"""Validation errors as a client can act on them: every problem at once, each with its field."""

from collections.abc import Iterable
from typing import Any


def _field(location: Iterable[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text or "body"


def describe_problems(errors: Iterable[dict[str, Any]]) -> dict[str, Any]:
    problems = [
        {
            "field": _field(error.get("loc", ())),
            "problem": error.get("msg", error.get("type", "invalid")),
            "type": error.get("type"),
        }
        for error in errors
    ]
    noun = "problem" if len(problems) == 1 else "problems"
    return {
        "statusCode": 422,
        "message": f"the request has {len(problems)} {noun}; nothing was accepted",
        "problems": problems,
    }
