import io
import json

from aws_lambda_powertools import Logger
from ordersync.pii import MASK, PiiMaskingFormatter, mask

from tests.conftest import load_event


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


def test_a_logger_with_the_formatter_writes_no_personal_data():
    stream = io.StringIO()
    logger = Logger(service="test", logger_formatter=PiiMaskingFormatter())
    logger.registered_handler.setStream(stream)

    logger.info("mapped", extra={"customer": {"email": "ada@example.com", "city": "London"}})

    line = json.loads(stream.getvalue())
    assert line["customer"] == {"email": MASK, "city": "London"}
    assert "ada@example.com" not in stream.getvalue()
