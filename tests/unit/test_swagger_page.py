"""The served Swagger page is set up by its first request, so the API's cold start does not
import powertools' OpenAPI models (tools.openapi and the page still get them)."""

import json
import subprocess
import sys

import pytest

from local.lambdas import LambdaContext
from local.template import ROOT
from ordersync.api import app as api
from tests.factories import load_event

MODELS = "aws_lambda_powertools.event_handler.openapi.models"


def test_the_page_and_its_document_are_served_every_time():
    for _ in range(2):  # the first request sets the page up, the second reuses it
        page = api.app.resolve(load_event("api/openapi.json"), LambdaContext("ApiFunction", 10))
        assert page["statusCode"] == 200
        assert "text/html" in page["headers"]["Content-Type"]
        assert "SwaggerUIBundle" in page["body"]
    event = load_event("api/openapi.json")
    event["rawQueryString"], event["queryStringParameters"] = "format=json", {"format": "json"}
    document = json.loads(api.app.resolve(event, LambdaContext("ApiFunction", 10))["body"])
    assert document["info"]["title"] == "ordersync"
    assert "/v1/orders" in document["paths"]
    assert document["components"]["securitySchemes"]["channel"]["scheme"] == "bearer"


@pytest.mark.slow  # a fresh interpreter, like the other cold-import checks
def test_importing_either_api_leaves_the_openapi_models_out():
    probe = f"import sys, ordersync.api.app, ordersync.api.merchant_app; print({MODELS!r} in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'layers/common'}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"
