"""The tenant-isolation matrix's tables: every route (from both functions' resolvers and the
template's HttpApi events, so a route added to any of them is in it), the credentials tried on
each, and per route a sample request that names the other merchant's ids.

A route without a sample fails `tests/unit/test_isolation_routes.py` at once, naming it: add
its entry to SAMPLES (a body the route accepts, so that what answers is the ownership check,
not validation) and, for a new path parameter, what it stands for in OTHER_IDS."""

import re
from dataclasses import dataclass, field
from typing import Any

from local.template import LocalTemplate

# Who calls: the demo merchant's three roles, the demo shop's channel credential, nobody.
ROLES = ("admin", "operator", "viewer", "channel", "none")
USER_EMAILS = {role: f"{role}@demo-merchant.test" for role in ("admin", "operator", "viewer")}

# What each path parameter names in the other merchant (keys of the `other` fixture's ids).
OTHER_IDS = {
    "orderId": "order",
    "operationId": "operation",
    "alertId": "alert",
    "userId": "user",
    "exportId": "export",
    "jobId": "job",
    # A resolve or unsubscribe link is a bearer token: whoever holds it may use it, signed in
    # or not. The other merchant's alert id stands in for a token that is no link (403 page).
    "token": "alert",
}

# What only the other merchant's records carry: none of these may be in any answer to demo.
MARKERS = ("other-merchant", "other-shop", "other-erp", "admin@other-merchant.test")


@dataclass(frozen=True)
class Sample:
    """A request to a route with the other merchant's ids in its path."""

    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    # The path's id is a name in the caller's own namespace, not a reference to a record (a
    # channel's order ids: test_ownership covers them); the body is then one the route
    # refuses, so the matrix leaves nothing behind.
    own_namespace: bool = False


# A field no order body has (they all forbid unknown fields): refused whoever sends it.
ORDER_BODY_REFUSED = Sample(body={"isolationProbe": True}, own_namespace=True)
SAMPLES: dict[tuple[str, str], Sample] = {
    ("GET", "/health"): Sample(),
    # What no route takes: 404, or 405 for a known path asked with another method.
    ("ANY", "/{proxy+}"): Sample(),
    # The console's pages with a bearer token and no session cookie: sent to sign in.
    ("GET", "/console"): Sample(),
    ("ANY", "/console/{proxy+}"): Sample(),
    ("GET", "/v1/openapi"): Sample(query={"format": "json"}),
    ("POST", "/v1/orders"): ORDER_BODY_REFUSED,
    ("POST", "/v1/orders/{orderId}/cancel"): ORDER_BODY_REFUSED,
    ("POST", "/v1/orders/{orderId}/invoice"): ORDER_BODY_REFUSED,
    ("POST", "/v1/orders/{orderId}/shipment"): ORDER_BODY_REFUSED,
    ("POST", "/v1/orders/{orderId}/refund"): ORDER_BODY_REFUSED,
    ("GET", "/v1/operations/{operationId}"): Sample(),
    ("POST", "/v1/callbacks/{operationId}"): Sample(body={"status": "confirmed"}),
    ("GET", "/v1/catalog"): Sample(),
    ("GET", "/v1/me"): Sample(query={"merchantId": "other-merchant"}),
    ("GET", "/v1/users"): Sample(),
    # A server-owned field in the body: refused (422), never the merchant the user joins.
    ("POST", "/v1/users"): Sample(
        body={"email": "isolation@demo-merchant.test", "role": "viewer", "merchantId": "x"}
    ),
    ("PUT", "/v1/users/{userId}"): Sample(body={"role": "viewer"}),
    ("GET", "/v1/alerts"): Sample(query={"identifier": "{order}"}),
    ("GET", "/v1/alerts/{alertId}"): Sample(),
    ("GET", "/v1/history"): Sample(query={"identifier": "{order}"}),
    ("GET", "/v1/orders/{orderId}/history"): Sample(),
    ("POST", "/v1/alerts/{alertId}/retry"): Sample(),
    ("POST", "/v1/alerts/{alertId}/ignore"): Sample(),
    ("POST", "/v1/alerts/{alertId}/unignore"): Sample(),
    ("POST", "/v1/alerts/{alertId}/mark-synced"): Sample(),
    ("POST", "/v1/alerts/{alertId}/resend"): Sample(body={"orderId": "{order}"}),
    # The other merchant's alert id among demo's: answered per id, "not found".
    ("POST", "/v1/alerts/bulk"): Sample(body={"action": "ignore", "ids": ["{alert}"]}),
    ("GET", "/v1/alerts/bulk/{jobId}"): Sample(),
    ("GET", "/v1/settings/notifications"): Sample(),
    # The other merchant's user named for a frequency: refused (422), nothing stored.
    ("PUT", "/v1/settings/notifications"): Sample(
        body={"users": [{"userId": "{user}", "frequency": "off"}]}
    ),
    ("GET", "/v1/settings/report"): Sample(query={"merchantId": "other-merchant"}),
    # A valid setting: an admin's own merchant gets it, nobody reaches the other's.
    ("PUT", "/v1/settings/report"): Sample(
        body={"sendTime": "06:00", "timeZone": "UTC", "recipients": ["admin@demo-merchant.test"]}
    ),
    ("GET", "/resolve/{token}"): Sample(),
    ("POST", "/resolve/{token}"): Sample(),
    ("GET", "/unsubscribe/{token}"): Sample(),
    ("POST", "/unsubscribe/{token}"): Sample(),
    ("GET", "/v1/alerts/export"): Sample(query={"identifier": "{order}"}),
    ("GET", "/v1/history/export"): Sample(query={"identifier": "{order}"}),
    ("GET", "/v1/exports/{exportId}"): Sample(),
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    authorizer: str | None  # the template's: ChannelAuthorizer, MerchantAuthorizer, None


def resolver_routes() -> set[tuple[str, str]]:
    """(method, path) of every route both functions' resolvers serve."""
    from ordersync.api import app as channel
    from ordersync.api import merchant_app as merchant
    from ordersync.api.unrouted import CATCH_ALL
    from ordersync.web import app as pages

    # The channel function's not-found handler answers the catch-all (api/unrouted.py); the
    # console function answers everything under /console itself (its session is a cookie).
    found = {CATCH_ALL, ("GET", "/console"), ("ANY", "/console/{proxy+}")}
    for resolver in (channel.app, merchant.app, pages.app):
        for route in (*resolver._static_routes, *resolver._dynamic_routes):
            found.add((route.method, route.openapi_path))
    return found


def template_routes() -> dict[tuple[str, str], Route]:
    return {
        (r.method, r.path): Route(r.method, r.path, r.authorizer)
        for r in LocalTemplate.load().routes
    }


def every_route() -> list[Route]:
    """Every route either source knows, sorted; one only a resolver serves has no authorizer
    here (the template must declare it: test_isolation_routes says so)."""
    declared = template_routes()
    keys = sorted(set(declared) | resolver_routes(), key=lambda k: (k[1], k[0]))
    return [declared.get(key) or Route(*key, authorizer=None) for key in keys]


def parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def fill(text: str, ids: dict[str, str]) -> str:
    """`text` with each `{name}` replaced by the other merchant's id it stands for."""

    def other(match: re.Match[str]) -> str:
        name = match[1]
        return ids[OTHER_IDS.get(name, name)]

    return re.sub(r"{(\w+)}", other, text)
