"""What the OpenAPI document says every route may answer besides its success, derived from the
kind of route (who may call it, whether it reads a body, names a resource, changes state), so a
route added to either app is documented without a line of its own: the error bodies' real
schemas (`ErrorBody`, `Problems`) and the statuses each kind of route can answer."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

WRITES = frozenset({"post", "put", "patch", "delete"})
REF = "#/components/schemas/{model}"
POWERTOOLS_422 = "Validation Error"


class _Body(BaseModel):
    model_config = ConfigDict(defer_build=True, alias_generator=to_camel, populate_by_name=True)


class ErrorBody(_Body):
    """Every refusal but a validation failure. API Gateway's own answers (its authorizers' 401
    and 403, a route it does not know) carry only `message`; ordersync's carry its status too."""

    status_code: int | None = Field(default=None, description="The HTTP status, repeated.")
    message: str = Field(description="What was wrong, and what to do about it.")
    request_id: str | None = Field(default=None, description="With a 500: quote it to support.")
    retry_after_seconds: int | None = Field(
        default=None, description="With a 429: when to try again (also the Retry-After header)."
    )


class Problem(_Body):
    field: str = Field(description="Where: `customer.email`, `lines[0].quantity`, `body`.")
    problem: str = Field(description="What is wrong with it.")
    type: str | None = Field(default=None, description="A stable name for the kind of problem.")


class Problems(_Body):
    """A request that fails validation: every problem at once, nothing accepted or changed."""

    status_code: int = Field(description="422")
    message: str
    problems: list[Problem]


# Why each status is answered, per kind of route; the body schema follows from the status.
WHY: dict[int, str] = {
    400: "the body cannot be read: not UTF-8, bad base64, nested too deeply, a malformed header",
    401: "no credential, or one that is not valid (expired, badly signed)",
    403: "a credential that may not do this (unknown channel credential, role, permission)",
    404: "nothing by that id for this caller",
    409: "conflicts with what is stored (a repeat with another body, a status that forbids it)",
    413: "the body is larger than the route accepts",
    415: "a Content-Type other than application/json",
    422: "a parameter or the body breaks the contract: every problem is listed",
    429: "over the channel's rate limit: wait Retry-After seconds",
}


def statuses(method: str, operation: dict[str, Any], security: list[Any] | None = None) -> set[int]:
    """The error statuses a route answers, from what the document says of it (`security`: the
    document's, which an operation without its own inherits)."""
    found: set[int] = set()
    requirements = operation.get("security", security) or []
    schemes = {name for requirement in requirements for name in requirement}
    if schemes:
        found |= {401, 403}
    if "channel" in schemes:
        found.add(429)  # every channel request is counted against the channel's rate limit
    parameters = operation.get("parameters") or []
    if parameters or "requestBody" in operation:
        found.add(422)
    if any(parameter.get("in") == "path" for parameter in parameters):
        found.add(404)
    if "requestBody" in operation:
        found |= {400, 413, 415}
    if method in WRITES and schemes:
        found.add(409)
    return found


def _answer(status: int, description: str) -> dict[str, Any]:
    model = "Problems" if status == 422 else "ErrorBody"
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}},
    }
    if status == 429:
        answer["headers"] = {
            "Retry-After": {"description": "seconds", "schema": {"type": "integer", "minimum": 1}}
        }
    return answer


def declare_errors(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every operation's error statuses and their bodies' schemas, replacing
    powertools' default 422 (a FastAPI-style body this API never sends)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for model in (ErrorBody, Problems):
        generated = model.model_json_schema(by_alias=True, ref_template=REF)
        schemas.update(generated.pop("$defs", {}))
        schemas[model.__name__] = generated
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if responses.get("422", {}).get("description") == POWERTOOLS_422:
                del responses["422"]  # added to every route, even one with nothing to validate
            declared = {int(code) for code in responses if 400 <= int(code) < 600}
            derived = statuses(method, operation, document.get("security"))
            for status in sorted(declared | derived):
                given = responses.get(str(status), {}).get("description")
                responses[str(status)] = _answer(status, given or WHY.get(status, "refused"))
            operation["responses"] = dict(sorted(responses.items()))
    return document
