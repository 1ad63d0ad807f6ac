"""Reading a request's body as the client sent it: the raw bytes (payload format 2.0 carries a
body that is not text base64-encoded, with `isBase64Encoded`), and JSON within bounds. A body
that cannot be read is the client's mistake (400), never our 500."""

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

# No route's body nests deeper than a handful of levels; 32 leaves room and keeps the parser,
# pydantic and the encoders far from Python's recursion limit.
MAX_DEPTH = 32


class MalformedBody(Exception):
    """The body cannot be read as the route requires: not base64 though flagged so, not UTF-8,
    nested too deeply, or JSON that the parser refuses beyond a syntax error."""


def raw_body(event: BaseProxyEvent) -> bytes:
    """The body's bytes, exactly as the client sent them."""
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode()
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedBody("the body is flagged base64-encoded but is not valid base64") from error


def unreadable(event: BaseProxyEvent) -> str | None:
    """Why the body cannot be read as UTF-8 text, or None if it can."""
    try:
        raw_body(event).decode()
    except MalformedBody as error:
        return str(error)
    except UnicodeDecodeError as error:
        return (
            f"the body is not UTF-8 text (byte {error.start}); send JSON encoded as UTF-8 "
            "with Content-Type: application/json"
        )
    return None


def parse_json(text: str) -> Any:
    """The resolver's JSON reader: json.loads, refusing what would exhaust it (deep nesting,
    numbers longer than Python converts) as the client's mistake. Syntax errors stay
    JSONDecodeError, which the validation reports as a 422 problem."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError as error:
        raise MalformedBody(f"the JSON body is nested more than {MAX_DEPTH} levels deep") from error
    except ValueError as error:  # e.g. a number of more than 4,300 digits
        raise MalformedBody(f"the JSON body cannot be read: {error}") from error
    if _too_deep(value):
        raise MalformedBody(f"the JSON body is nested more than {MAX_DEPTH} levels deep")
    return value


def _too_deep(value: Any) -> bool:
    """Whether containers nest more than MAX_DEPTH levels in `value` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > MAX_DEPTH:
            return True
        stack.extend((child, level + 1) for child in children)
    return False
