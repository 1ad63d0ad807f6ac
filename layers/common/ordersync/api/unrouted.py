"""The answer to a request no route of the HTTP API takes. Its catch-all route (ANY /{proxy+})
reaches the API function, whose resolver finds no route either: a path that is some route's,
asked with another method, is 405 with the methods it takes in Allow; any other path is 404.

The route table (routes.json beside this module) is written from template.yaml by `make docs`,
so a route either function gains is known here without an edit; a test fails if it is stale."""

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

CATCH_ALL = ("ANY", "/{proxy+}")


@cache
def _table() -> list[tuple[re.Pattern[str], str, str]]:
    routes = json.loads((files("ordersync.api") / "routes.json").read_text())
    return [
        (re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), method, path)
        for method, path in routes
    ]


def allowed_methods(path: str) -> list[str]:
    """The methods the API takes on `path` (none: no route has this path). A path that is a
    route's own (/v1/alerts/bulk) is that resource, not an id in another (/v1/alerts/{alertId}):
    its Allow names its own methods, as its document does."""
    matches = [(method, template) for pattern, method, template in _table() if pattern.match(path)]
    own = [method for method, template in matches if template == path]
    return sorted(set(own) or {method for method, _ in matches})


def answer(method: str, path: str) -> Response[Any]:
    allowed = allowed_methods(path)
    if not allowed or method in allowed:  # (the latter: a path the resolver cannot route)
        return Response(
            status_code=404,
            content_type=content_types.APPLICATION_JSON,
            body={"statusCode": 404, "message": f"no route {path}"},
        )
    return Response(
        status_code=405,
        content_type=content_types.APPLICATION_JSON,
        body={
            "statusCode": 405,
            "message": f"{path} does not take {method}; it takes {', '.join(allowed)}",
        },
        headers={"Allow": ", ".join(allowed)},
    )
