import io
import json

import pytest
from aws_lambda_powertools import Logger

from ordersync.core.pii import MASK, PiiMaskingFormatter, mask
from tests.factories import load_event


def test_personal_fields_are_masked_anywhere_in_a_payload():
    order = load_event("requests/create_order.json")
    masked = mask({"payload": order})["payload"]

    assert masked["customer"]["email"] == MASK
    assert masked["customer"]["firstName"] == MASK
    assert masked["orderId"] == order["orderId"]
    assert masked["lines"] == order["lines"]
    text = json.dumps(masked)
    assert order["customer"]["email"] not in text
    assert order["customer"]["lastName"] not in text


def test_emails_and_phones_in_free_text_are_masked():
    said = mask("customer ada@example.com (+44 20 7946 0000) refused order WEB-10001")

    assert said == f"customer {MASK} ({MASK}) refused order WEB-10001"


@pytest.mark.parametrize(
    "kept",
    [
        "8e3337ad-4541-56d7-9a43-3c77a5a85763",
        "411f8383-ef70-5fde-b75a-5647dff22180",
        "arn:aws:lambda:us-east-1:123456789012:function:Api",
        "2026-11-24 16:26:28,579+0000",
        "2026-11-24T16:26:27.339000+00:00",
        "order SOAK-7-1234567 of 2026-11-24",
    ],
)
def test_ids_times_and_arns_are_not_taken_for_phones(kept):
    assert mask(kept) == kept


def test_phones_in_their_usual_shapes_are_masked():
    for phone in ("+1 (555) 010-9999", "555 010 9999", "020 7946 0000", "+4915112345678"):
        assert mask(f"call {phone} today") == f"call {MASK} today"


def test_a_logger_with_the_formatter_writes_no_personal_data():
    stream = io.StringIO()
    logger = Logger(service="test", logger_formatter=PiiMaskingFormatter())
    logger.registered_handler.setStream(stream)

    logger.info("mapped", extra={"customer": {"email": "ada@example.com", "city": "London"}})

    line = json.loads(stream.getvalue())
    assert line["customer"] == {"email": MASK, "city": "London"}
    assert "ada@example.com" not in stream.getvalue()


def test_a_line_leaves_out_what_the_log_group_already_says_and_keeps_the_request_id():
    stream = io.StringIO()
    logger = Logger(service="test", logger_formatter=PiiMaskingFormatter())
    logger.registered_handler.setStream(stream)
    logger.append_keys(
        function_name="OrderCreateFunction",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:OrderCreateFunction",
        function_memory_size=512,
        function_request_id="41b58ff6-77c3-4384-8868-5fae44e6a876",
    )

    logger.info("outcome recorded", extra={"code": "Order Created"})

    line = json.loads(stream.getvalue())
    assert "function_arn" not in line
    assert "function_memory_size" not in line
    assert line["function_name"] == "OrderCreateFunction"
    assert line["function_request_id"] == "41b58ff6-77c3-4384-8868-5fae44e6a876"
    assert line["code"] == "Order Created"
