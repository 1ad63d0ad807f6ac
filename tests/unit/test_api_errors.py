"""The API's one exception policy: a client's invalid body is a 422 that lists its problems, our
own bug is a logged 500 carrying the request id, never a 422 a client cannot fix."""

import json

import pytest
from pydantic import BaseModel

from local.lambdas import LambdaContext
from ordersync.api import app as api
from ordersync.api import status
from ordersync.config import rate_limits
from tests.factories import load_event


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch):
    """Unit tests reach no AWS; the limiter has tests of its own (integration, e2e)."""
    monkeypatch.setattr(rate_limits, "take", lambda channel: None)


class StoredItem(BaseModel):
    attempts: int


def _stored_item_that_does_not_parse(*args, **kwargs):
    StoredItem.model_validate({"attempts": "many"})


def test_a_stored_item_that_fails_to_parse_is_a_logged_500_with_the_request_id(monkeypatch, caplog):
    monkeypatch.setattr(status, "describe", _stored_item_that_does_not_parse)
    event = load_event("api/get_operation.json")

    answer = api.app.resolve(event, LambdaContext("ApiFunction", 10))

    assert answer["statusCode"] == 500
    body = json.loads(answer["body"])
    assert body["requestId"] == event["requestContext"]["requestId"]
    (logged,) = [record for record in caplog.records if record.getMessage() == "unhandled error"]
    assert logged.exc_info[0].__name__ == "ValidationError"


def test_an_invalid_request_body_is_a_422_listing_every_problem():
    event = load_event("api/create_order.json")
    event["body"] = json.dumps({"orderId": "", "lines": "none"})

    answer = api.app.resolve(event, LambdaContext("ApiFunction", 10))

    assert answer["statusCode"] == 422
    problems = json.loads(answer["body"])["problems"]
    assert len(problems) > 1
    assert {"field", "problem", "type"} <= set(problems[0])


def test_a_not_found_keeps_its_status_past_the_catch_all(monkeypatch):
    monkeypatch.setattr(status, "describe", lambda *args: None)

    answer = api.app.resolve(load_event("api/get_operation.json"), LambdaContext("ApiFunction", 10))

    assert answer["statusCode"] == 404
    assert "no operation" in json.loads(answer["body"])["message"]
