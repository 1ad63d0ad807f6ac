"""Print the HTTP API's OpenAPI document, generated from the API's code: the channel routes
(`ordersync.api.app`) and the merchant routes (`ordersync.api.merchant_app`), which one HTTP
API serves at one base URL, so one document describes both, each route with its own security
(the channel credential, or a merchant user's JWT).

Usage: python -m tools.openapi > docs/openapi.json
"""

import json
import sys
from typing import Any

from local.template import LocalTemplate
from ordersync.api import app as channel
from ordersync.api import merchant_app as merchant
from ordersync.api import merchant_lists
from ordersync.api.contract import declare_errors


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(channel.app.get_openapi_json_schema(**channel.openapi()))
    merchant_part = json.loads(merchant.app.get_openapi_json_schema(**merchant.openapi()))
    document["info"]["description"] = (
        "Channel routes take the channel's credential; merchant routes a merchant user's "
        "Cognito id token (JWT); GET /v1/catalog and GET /health take none."
    )
    for path, operations in merchant_part["paths"].items():
        document["paths"].setdefault(path, {}).update(operations)
    components = document.setdefault("components", {})
    for kind, entries in merchant_part.get("components", {}).items():
        into = components.setdefault(kind, {})
        for name, entry in entries.items():
            if name in into and into[name] != entry:
                raise ValueError(f"{kind} {name} differs between the channel and merchant APIs")
            into[name] = entry
    _open_routes(document)
    _query_parameters(document)
    return declare_errors(document)


def _query_parameters(document: dict[str, Any]) -> None:
    """The filters of the list routes, from their query models (the routes read the query
    string through the model, which refuses unknown names and lists every problem at once, so
    powertools cannot see them as parameters)."""
    for (method, path), model in merchant_lists.QUERY_MODELS.items():
        schema = model.model_json_schema(by_alias=True)
        definitions = schema.get("$defs", {})
        parameters = document["paths"][path][method].setdefault("parameters", [])
        for name, spec in schema["properties"].items():
            spec = _inline(spec, definitions)
            options = [s for s in spec.pop("anyOf", [spec]) if s.get("type") != "null"]
            field = {**options[0], **spec}
            field.pop("title", None)
            if field.get("default", 0) is None:
                del field["default"]
            if name == "columns":
                known = "|".join(sorted(model.COLUMNS, key=len, reverse=True))
                field = {
                    "type": "string",
                    "description": "comma-separated column names",
                    "pattern": f"^({known})(,({known}))*$",
                }
            parameters.append({"name": name, "in": "query", "required": False, "schema": field})


def _inline(spec: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(spec, dict):
        if "$ref" in spec:
            return _inline(definitions[spec["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: _inline(value, definitions) for key, value in spec.items()}
    if isinstance(spec, list):
        return [_inline(value, definitions) for value in spec]
    return spec


def _open_routes(document: dict[str, Any]) -> None:
    """The routes template.yaml leaves without an authorizer take no credential. (powertools
    drops a route's `security=[]`, so they would inherit the document's channel credential.)"""
    for route in LocalTemplate.load().routes:
        operation = document["paths"].get(route.path, {}).get(route.method.lower())
        if operation is not None and route.authorizer is None:
            operation["security"] = []


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
