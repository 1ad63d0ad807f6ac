"""The field rules channels' bodies and paths are held to, each stated in the OpenAPI document:
ids, integers, moments and money.

- An id (SKU, invoice number, shipment, refund, feed, customer) is 1-100 characters with no
  control characters (C0, DEL, C1: NUL, CR and LF would split logs, headers and keys).
- An order id is also one path segment on the platform: no whitespace and none of
  `/ \\ % ? #`, and not `.` or `..` (which a URL resolver would climb by).
- A count is a JSON integer: not `true`, not `"2"`. (`2.0` is the integer 2: JSON and JSON
  Schema do not tell them apart, so neither does ordersync; `2.5` is refused.)
- A moment carries its time zone and lies between 2000-01-01 and a day from now (a day of
  clock skew and time zones; year 1 is a bug, not an order). The document's pattern states
  the first bound; the second moves with the clock, so only its description can.
- A calendar date (a delivery date) is YYYY-MM-DD and a day that exists.
- Money is a non-negative decimal with at most 10 integer and 4 fractional digits: a plain
  decimal string (`"12.50"`; no exponent, sign, spaces, separators or leading zeros), or a
  JSON number, which is a binary fraction anyway (19.99 arrives as 19.989999…) and so is
  rounded to 4 decimal places.
"""

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ordersync.core.clock import now

_CONTROL = r"\x00-\x1f\x7f-\x9f"
# Whitespace spelled out rather than `\s`, which means different sets in the engines that read
# these patterns (pydantic's Rust regex counts U+0085 and not U+FEFF, JSON Schema's ECMA the
# reverse): the union of both, and of what str.strip() removes (found by schemathesis).
WHITESPACE_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
WHITESPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
ID_PATTERN = rf"^[^{_CONTROL}]+$"
_SEGMENT = rf"[^{WHITESPACE}{_CONTROL}/\\%?#]"
_SEGMENT_NOT_DOT = rf"[^{WHITESPACE}{_CONTROL}/\\%?#.]"
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


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise PydanticCustomError(
            "int_type",
            "a count is a JSON integer, not {kind}",
            {"kind": "a boolean" if isinstance(value, bool) else "a string"},
        )
    return value


COUNT_DESCRIPTION = "A JSON integer from 1 to 100000."
Count = Annotated[
    int,
    BeforeValidator(_json_integer),
    Field(gt=0, le=100_000, description=COUNT_DESCRIPTION),
    # Stated outright: behind a before-validator pydantic writes the bounds as "gt"/"le",
    # which JSON Schema does not know (found by schemathesis: quantity 0 counted as valid).
    WithJsonSchema(
        {"type": "integer", "minimum": 1, "maximum": 100_000, "description": COUNT_DESCRIPTION}
    ),
]

# The date as written, in its own offset: "2000-01-01T00:00:00+03:04" is in, as the document's
# pattern (a year from 2000) says; in UTC it is 1999 (found by schemathesis).
EARLIEST = datetime(2000, 1, 1)
AHEAD = timedelta(days=1)
MOMENT_DESCRIPTION = (
    "ISO 8601 with a time zone (Z or an offset), from 2000-01-01 to at most a day from now."
)


def _in_window(moment: datetime) -> datetime:
    if moment.replace(tzinfo=None) < EARLIEST:
        raise PydanticCustomError(
            "moment_too_early", "must not be dated before 2000-01-01", {"earliest": "2000"}
        )
    if moment > now() + AHEAD:
        raise PydanticCustomError("moment_too_late", "must not be more than a day from now")
    return moment


# Years 2000-9999 (the lower bound) with a time zone (Z or an offset), on top of date-time.
MOMENT_PATTERN = r"^[2-9][0-9]{3}-.*(Z|z|[+-][0-9]{2}:[0-9]{2})$"
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_in_window),
    Field(description=MOMENT_DESCRIPTION),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": MOMENT_PATTERN,
            "description": MOMENT_DESCRIPTION,
        }
    ),
]

# A day on the calendar, without a time (a delivery date): ISO 8601's YYYY-MM-DD, and a day
# that exists (2026-02-30 does not).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_DESCRIPTION = "A calendar date, YYYY-MM-DD (ISO 8601), without a time."


def _real_day(text: str) -> str:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "date_from_datetime_parsing", "{text} is not a day on the calendar", {"text": text}
        ) from None
    return text


CalendarDate = Annotated[
    str,
    Field(pattern=DATE_PATTERN, description=DATE_DESCRIPTION),
    AfterValidator(_real_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DATE_PATTERN,
            "description": DATE_DESCRIPTION,
        }
    ),
]

MONEY_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,4})?$"
# The same, above zero: a non-zero integer part, or 0 and a fraction with a non-zero digit.
POSITIVE_MONEY_PATTERN = (
    r"^([1-9][0-9]{0,9}(\.[0-9]{1,4})?"
    r"|0\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$"
)
_MONEY = re.compile(MONEY_PATTERN)
MONEY_MAXIMUM = Decimal("9999999999.9999")
MONEY_DESCRIPTION = (
    "A non-negative amount, at most 10 integer and 4 fractional digits: a decimal string such "
    'as "12.50" (no exponent, sign, spaces, separators or leading zeros), or a JSON number, '
    "rounded to 4 decimal places."
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
    if isinstance(value, int | float) and 0 <= value <= MONEY_MAXIMUM:
        return Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return value


def _money(minimum: dict[str, Any], pattern: str, description: str) -> Any:
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", **minimum, "maximum": float(MONEY_MAXIMUM)},
                {"type": "string", "pattern": pattern},
            ],
            "description": description,
        }
    )


Money = Annotated[
    Decimal,
    BeforeValidator(_plain_money),
    Field(ge=0, le=MONEY_MAXIMUM, max_digits=14, decimal_places=4),
    _money({"minimum": 0}, MONEY_PATTERN, MONEY_DESCRIPTION),
]
# An amount that must be more than nothing (a refund): at least 0.0001 after rounding.
PositiveMoney = Annotated[
    Decimal,
    BeforeValidator(_plain_money),
    Field(gt=0, le=MONEY_MAXIMUM, max_digits=14, decimal_places=4),
    _money({"minimum": 0.0001}, POSITIVE_MONEY_PATTERN, "More than 0: " + MONEY_DESCRIPTION[2:]),
]
