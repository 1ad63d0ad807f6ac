"""Personal data (names, emails, phones, addresses) masked in every log line.

Logs outlive the history table and are read by more people, so what identifies a shopper is
replaced before a line is written: known fields by name, anywhere in the structure, and email
addresses and phone numbers by pattern wherever they appear in free text (an exception message
that quotes a payload, say).
"""

import re
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

MASK = "***"
PERSONAL_FIELDS = frozenset(
    name.lower()
    for name in (
        "email",
        "phone",
        "firstName",
        "lastName",
        "fullName",
        "company",
        "street",
        "line1",
        "line2",
        "addressLine1",
        "addressLine2",
        "postcode",
        "postalCode",
        "zip",
        "shippingAddress",
        "billingAddress",
        "address",
    )
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Digits glued to letters, colons, dots or dashes are part of something else (a UUID, an ARN's
# account, a time), and an ISO date is not a phone: masking those would blind the on-call reader.
PHONE = re.compile(r"(?<![\w:./+-])(?!\d{4}-\d\d-\d\d)\+?\d[\d ()-]{7,}\d(?![\w:./-])")


def mask(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower().replace("_", "") in PERSONAL_FIELDS and value:
        return MASK
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(item) for item in value]
    if isinstance(value, str):
        return PHONE.sub(MASK, EMAIL.sub(MASK, value))
    return value


# Keys Powertools adds to every line from the Lambda context that say nothing the log group
# (the function, its account and region) and the configuration do not: about 120 bytes a line,
# paid for at CloudWatch Logs' ingestion price. The function's name and the request id stay.
CONTEXT_KEYS_LEFT_OUT = ("function_arn", "function_memory_size")


class PiiMaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        for key in CONTEXT_KEYS_LEFT_OUT:
            log.pop(key, None)
        return super().serialize(mask(log))
