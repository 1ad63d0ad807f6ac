"""The field rules channels' bodies and paths are held to, each stated in the OpenAPI document:
ids, integers, moments and money.

- An id (SKU, invoice number, shipment, refund, feed, customer) is 1-100 characters with no
  control characters (C0, DEL, C1: NUL, CR and LF would split logs, headers and keys).
- An order id is also one path segment on the platform: no whitespace and none of
  `/ \\ % ? #`, and not `.` or `..` (which a URL resolver would climb by).
- A count is a JSON integer: not `true`, not `2.0`, not `"2"`.
- A moment carries its time zone and lies between 2000-01-01 and a day from now (a day of
  clock skew and time zones; year 1 is a bug, not an order).
- Money is a non-negative decimal with at most 10 integer and 4 fractional digits, as a JSON
  number or a plain decimal string (`"12.50"`; no exponent, sign, spaces or separators).
"""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ordersync.core.clock import now

_CONTROL = r"\x00-\x1f\x7f-\x9f"
ID_PATTERN = rf"^[^{_CONTROL}]+$"
_SEGMENT = rf"[^\s{_CONTROL}/\\%?#]"
_SEGMENT_NOT_DOT = rf"[^\s{_CONTROL}/\\%?#.]"
# At least one character that is not a dot: "." and ".." are refused.
ORDER_ID_PATTERN = rf"^{_SEGMENT}*{_SEGMENT_NOT_DOT}{_SEGMENT}*$"
ID_MAX_LENGTH = 100
ORDER_ID_DESCRIPTION = (
    "The channel's order id, 1-100 characters: no whitespace or control characters, none of "
    "/ \\ % ? #, and not . or .. (it is a path segment on the platform)."
)

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=ID_MAX_LENGTH,
        pattern=ID_PATTERN,
        description="1-100 characters, no control characters (NUL, CR, LF and the like).",
    ),
]
OrderId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=ID_MAX_LENGTH,
        pattern=ORDER_ID_PATTERN,
        description=ORDER_ID_DESCRIPTION,
    ),
]
Count = Annotated[
    int, Field(strict=True, gt=0, le=100_000, description="A JSON integer from 1 to 100000.")
]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=1)
MOMENT_DESCRIPTION = (
    "ISO 8601 with a time zone (Z or an offset), from 2000-01-01 to at most a day from now."
)


def _in_window(moment: datetime) -> datetime:
    if moment < EARLIEST:
        raise PydanticCustomError(
            "moment_too_early", "must not be before 2000-01-01T00:00:00Z", {"earliest": "2000"}
        )
    if moment > now() + AHEAD:
        raise PydanticCustomError("moment_too_late", "must not be more than a day from now")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_in_window), Field(description=MOMENT_DESCRIPTION)]

MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,4})?$"
_MONEY = re.compile(MONEY_PATTERN)
MONEY_DESCRIPTION = (
    "A non-negative amount, at most 10 integer and 4 fractional digits: a JSON number or a "
    'decimal string such as "12.50" (no exponent, sign, spaces or thousands separators).'
)


def _plain_money(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("money_type", "an amount is a number or a decimal string")
    if isinstance(value, str) and not _MONEY.match(value):
        raise PydanticCustomError(
            "money_format",
            'an amount is written like "12.50" (pattern {pattern})',
            {"pattern": MONEY_PATTERN},
        )
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_plain_money),
    Field(ge=0, max_digits=14, decimal_places=4),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 9_999_999_999.9999},
                {"type": "string", "pattern": MONEY_PATTERN},
            ],
            "description": MONEY_DESCRIPTION,
        }
    ),
]
