"""The channel- and platform-facing HTTP API (API Gateway HTTP API, payload format 2.0): one
resolver, a router per audience, one exception policy."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from ordersync.api import body, callbacks, errors, orders, status, unrouted
from ordersync.api.resolver import Resolver
from ordersync.api.responses import error_body


def openapi() -> dict[str, Any]:
    """The document's title and security, for the served page and tools.openapi."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return {
        "title": "ordersync",
        "version": "1",
        "security_schemes": {"channel": HTTPBearer(description="The channel's credential")},
        "security": [{"channel": []}],
    }


app = Resolver(enable_validation=True, json_body_deserializer=body.parse_json)
app.enable_swagger_on_first_use("/v1/openapi", openapi)


@app.get("/health", security=[])
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.not_found
def not_routed(error: NotFoundError) -> Response[Any]:
    """The HTTP API's catch-all route (ANY /{proxy+}) brings what no route takes here. powertools
    sends a route's own NotFoundError (no such operation) here too, with its message, where its
    own has none: that one keeps its 404 and its message."""
    if str(error):
        return error_body(404, str(error))
    event = app.current_event
    return unrouted.answer(event.http_method, event.path)


app.include_router(orders.router)
app.include_router(status.router)
app.include_router(callbacks.router)
errors.register(app)
