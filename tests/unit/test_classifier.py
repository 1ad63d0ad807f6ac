import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ordersync.catalog.classifier import classify, retry_after_seconds
from ordersync.catalog.codes import catalog, outcome
from ordersync.catalog.platform import PlatformConnectionError, PlatformResponse, PlatformTimeout
from ordersync.core.models import Level, OperationType, RetryClass

CREATE = OperationType.CREATE


def answer(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> PlatformResponse:
    text = json.dumps(body) if body is not None else ""
    return PlatformResponse(
        status_code=status, text=text, call="POST /orders", headers=headers or {}
    )


@pytest.mark.parametrize(
    ("status", "body", "code", "retry_class"),
    [
        (201, {"id": "PO-1"}, "Order Created", RetryClass.NONE),
        (200, {"id": "PO-1"}, "Order Created", RetryClass.NONE),
        (202, {"id": "PO-1"}, "Pending Verification", RetryClass.NONE),
        (200, "<html>ok</html>", "Invalid Api Response", RetryClass.NEEDS_ACTION),
        (401, {"message": "bad token"}, "Unauthorized", RetryClass.NEEDS_ACTION),
        (403, {"message": "no scope"}, "Forbidden", RetryClass.NEEDS_ACTION),
        (404, {"message": "gone"}, "Not Found", RetryClass.FINAL),
        (
            422,
            {"message": "unknown SKU", "code": "E42"},
            "Order Creation Failed",
            RetryClass.NEEDS_ACTION,
        ),
        (429, {"message": "slow down"}, "Rate Limited", RetryClass.TRANSIENT),
        (500, {"message": "boom"}, "Platform Unavailable", RetryClass.TRANSIENT),
        (503, None, "Platform Unavailable", RetryClass.TRANSIENT),
        (302, None, "Unknown Error", RetryClass.NEEDS_ACTION),
    ],
)
def test_platform_answers_map_to_codes(status, body, code, retry_class):
    result = classify(CREATE, response=answer(status, body), order_id="WEB-1")
    assert (result.code, result.retry_class, result.http_code) == (code, retry_class, status)
    assert result.system_call == "POST /orders"
    assert "WEB-1" in result.business_message


def test_business_rejection_keeps_the_platform_message_and_code():
    result = classify(
        CREATE,
        response=answer(422, {"message": "unknown SKU MUG-9", "code": "E42"}),
        order_id="WEB-1",
    )
    assert result.level is Level.ERROR
    assert "unknown SKU MUG-9" in result.business_message
    assert result.system_code == "E42"


def test_success_names_the_platform_order():
    result = classify(CREATE, response=answer(201, {"id": "PO-77"}), order_id="WEB-1")
    assert result.system_identifier == "PO-77"
    assert result.level is Level.SUCCESS


def test_transport_failures_are_transient():
    assert classify(CREATE, error=PlatformTimeout("slow"), order_id="1").code == "Timeout"
    refused = classify(
        CREATE, error=PlatformConnectionError("refused", ambiguous=False), order_id="1"
    )
    assert refused.code == "Connection Error"
    assert refused.retry_class is RetryClass.TRANSIENT


def test_an_unexpected_exception_is_unknown_and_kept():
    result = classify(CREATE, error=KeyError("surprise"), order_id="1")
    assert result.code == "Unknown Error"
    assert "KeyError" in result.business_message


def test_rate_limit_carries_retry_after():
    result = classify(CREATE, response=answer(429, {}, {"retry-after": "7"}), order_id="1")
    assert result.retry_after_seconds == 7


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 80 <= retry_after_seconds(later) <= 90


def test_every_catalog_code_has_a_description_action_and_message():
    for code, entry in catalog().items():
        assert entry.description, code
        assert entry.action, code
        assert entry.message, code
        filled = outcome(
            code, order_id="WEB-1", detail="why", http_code=500, system_identifier="PO-1"
        )
        assert "{" not in filled.business_message, code


def test_a_missing_fact_reads_as_a_question_mark():
    assert outcome("Order Creation Failed", order_id="WEB-1").business_message.endswith("?")
