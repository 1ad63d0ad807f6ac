import pytest

from local.template import ROOT
from tools.openapi import openapi_json


def test_the_committed_openapi_document_matches_the_code():
    committed = (ROOT / "docs/openapi.json").read_text()
    assert committed == openapi_json(), "run `make docs` and commit docs/openapi.json"


def test_the_committed_error_code_list_matches_the_catalog():
    from tools.error_codes import error_codes_markdown

    assert (ROOT / "docs/error-codes.md").read_text() == error_codes_markdown(), "run `make docs`"


# What each kind of route answers besides its success, stated here from the template's route
# table (who guards the route, its method, its path), not from the code that writes the document.
GUARDED = {401, 403}
BY_AUTHORIZER = {"ChannelAuthorizer": GUARDED | {429}, "MerchantAuthorizer": GUARDED}
WITH_BODY = {400, 413, 415, 422}
# The document itself; the catch-all that answers 404/405 to what no route takes.
NOT_DOCUMENTED = {("GET", "/v1/openapi"), ("ANY", "/{proxy+}")}
# HTML pages (an email's links, web/; the console): not part of the JSON API's contract.
PAGES = ("/resolve/", "/unsubscribe/", "/console")
# Writes that take no body: an action on one alert is named by its path alone.
BODILESS = {
    f"/v1/alerts/{{alertId}}/{action}" for action in ("retry", "ignore", "unignore", "mark-synced")
}


def expected_statuses(route) -> set[int]:
    expected = set(BY_AUTHORIZER.get(route.authorizer, set()))
    if "{" in route.path:
        expected |= {404, 422}
    if route.method in ("POST", "PUT", "PATCH") and route.authorizer:
        expected |= {409} if route.path in BODILESS else WITH_BODY | {409}
    return expected


def documented_routes():
    from local.template import LocalTemplate

    routes = LocalTemplate.load().routes
    return [
        r
        for r in routes
        if (r.method, r.path) not in NOT_DOCUMENTED and not r.path.startswith(PAGES)
    ]


@pytest.fixture(scope="module")
def document():
    from tools.openapi import openapi_document

    return openapi_document()


@pytest.mark.parametrize("route", documented_routes(), ids=lambda r: f"{r.method} {r.path}")
def test_every_route_documents_every_status_it_answers_with_the_real_error_body(route, document):
    operation = document["paths"].get(route.path, {}).get(route.method.lower())
    assert operation is not None, f"{route.method} {route.path} is not in the document"
    responses = {int(code): answer for code, answer in operation["responses"].items()}
    missing = expected_statuses(route) - set(responses)
    assert not missing, f"{route.method} {route.path} does not document {sorted(missing)}"
    assert any(200 <= code < 300 for code in responses)
    for code, answer in responses.items():
        if code >= 400:
            schema = answer["content"]["application/json"]["schema"]["$ref"]
            body = "Problems" if code == 422 else "ErrorBody"
            assert schema == f"#/components/schemas/{body}", (code, schema)


def test_the_error_bodies_documented_are_the_ones_the_api_sends():
    from ordersync.api.contract import ErrorBody, Problems
    from ordersync.api.problems import describe_problems
    from ordersync.api.responses import error_body

    sent = error_body(429, "slow down", retryAfterSeconds=2).body
    assert ErrorBody.model_validate(sent).retry_after_seconds == 2
    refused = describe_problems([{"loc": ("body", "lines", 0, "sku"), "msg": "bad", "type": "t"}])
    assert Problems.model_validate(refused).problems[0].field == "lines[0].sku"
    assert (
        ErrorBody.model_validate({"message": "Unauthorized"}).status_code is None
    )  # API Gateway's


def test_a_route_without_its_statuses_is_caught():
    from ordersync.api.contract import declare_errors

    bare = {
        "paths": {
            "/v1/things/{id}": {
                "post": {
                    "security": [{"channel": []}],
                    "parameters": [{"in": "path", "name": "id"}],
                    "requestBody": {},
                    "responses": {},
                }
            }
        }
    }
    declared = declare_errors(bare)["paths"]["/v1/things/{id}"]["post"]["responses"]
    assert set(map(int, declared)) == {400, 401, 403, 404, 409, 413, 415, 422, 429}


def test_the_committed_route_table_matches_the_template():
    from tools.route_table import route_table_json

    committed = (ROOT / "layers/common/ordersync/api/routes.json").read_text()
    assert committed == route_table_json(), "run `make docs`"
