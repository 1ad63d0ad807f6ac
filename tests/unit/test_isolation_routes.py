"""The isolation matrix covers every route (tests/e2e/test_isolation_matrix.py runs it): its
tables are checked here, fast, so a new route without a sample fails at once by name. And no
route reads a server-owned field (merchant, status, who created it) from a body."""

from typing import Any

from pydantic import BaseModel

from tests.isolation import (
    OTHER_IDS,
    SAMPLES,
    every_route,
    parameters,
    resolver_routes,
    template_routes,
)

SERVER_OWNED = {"merchant", "merchantId", "status", "createdBy", "createdAt", "userId"}
# Where a body's field of that name refers to a record of the caller's own merchant (checked
# there: an unknown id is a 422), not a field the server owns.
REFERENCES = {("PUT /v1/settings/notifications", "userId")}


def test_the_template_declares_every_route_the_resolvers_serve_and_no_other():
    assert set(template_routes()) == resolver_routes()


def test_every_route_has_an_isolation_sample_and_every_path_parameter_a_meaning():
    routes = {(route.method, route.path) for route in every_route()}
    missing = sorted(routes - set(SAMPLES))
    assert missing == [], f"add these routes to tests/isolation.py SAMPLES: {missing}"
    assert sorted(set(SAMPLES) - routes) == [], "SAMPLES names routes that no longer exist"
    unknown = {p for route in routes for p in parameters(route[1])} - set(OTHER_IDS)
    assert unknown == set(), f"say in tests/isolation.py OTHER_IDS what {unknown} names"


def _body_models() -> list[tuple[str, type[BaseModel]]]:
    from ordersync.api import app as channel
    from ordersync.api import merchant_app as merchant

    found = []
    for resolver in (channel.app, merchant.app):
        for route in (*resolver._static_routes, *resolver._dynamic_routes):
            for param in route.dependant.body_params:
                annotation: Any = param.field_info.annotation
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    found.append((f"{route.method} {route.openapi_path}", annotation))
    return found


def _fields(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every field name (and alias) a model accepts, at any depth."""
    seen = seen or set()
    if model in seen:
        return set()
    seen.add(model)
    names = set()
    for name, info in model.model_fields.items():
        names |= {name, info.alias or name}
        for inner in getattr(info.annotation, "__args__", (info.annotation,)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                names |= _fields(inner, seen)
    return names


def test_no_body_takes_a_server_owned_field_and_each_refuses_fields_it_does_not_know():
    bodies = _body_models()
    assert len(bodies) >= 7  # create, 4 follow-ups, the confirmation, invite, update
    wrong = {
        route: owned
        for route, model in bodies
        if (
            owned := sorted(
                n for n in SERVER_OWNED & _fields(model) if (route, n) not in REFERENCES
            )
        )
    }
    assert wrong == {}
    lenient = [route for route, model in bodies if model.model_config.get("extra") != "forbid"]
    assert lenient == []
