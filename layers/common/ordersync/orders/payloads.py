"""What channels send: the bodies of the order routes, validated before anything is accepted.
The field rules (ids, counts, moments, money) are in `ordersync.orders.fields`."""

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from ordersync.orders.fields import (
    WHITESPACE,
    WHITESPACE_CHARS,
    CalendarDate,
    Count,
    Identifier,
    Moment,
    Money,
    OrderId,
    PositiveMoney,
)


class CamelModel(BaseModel):
    """JSON speaks camelCase, Python speaks snake_case; unknown fields are a client mistake."""

    model_config = ConfigDict(
        defer_build=True, alias_generator=to_camel, populate_by_name=True, extra="forbid"
    )


# Trimmed, and not blank: the pattern says so in the document too (a lone form feed passed
# minLength 1 there and was refused here: found by schemathesis). Trimmed of the same
# whitespace the pattern names, so the two cannot disagree.
NonEmpty = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=rf"[^{WHITESPACE}]"),
    # After the constraints in this list, yet run before them (a before-validator wraps what
    # precedes it); placed first, it would hide the pattern from the document.
    BeforeValidator(
        lambda value: value.strip(WHITESPACE_CHARS) if isinstance(value, str) else value
    ),
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
_ADDRESS_PART = rf"[^@{WHITESPACE}\x00-\x1f\x7f-\x9f]+"
Email = Annotated[
    str,
    StringConstraints(
        pattern=rf"^{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}$", max_length=254
    ),
]
# A channel may round each line's amount to the cent: the grand total may differ from the sum
# of its parts by at most this much per line.
ROUNDING_PER_LINE = Decimal("0.01")


class Address(CamelModel):
    name: NonEmpty
    line1: NonEmpty
    line2: str | None = None
    city: NonEmpty
    region: str | None = None
    postal_code: NonEmpty
    country: CountryCode
    phone: str | None = None


class Customer(CamelModel):
    email: Email
    first_name: NonEmpty
    last_name: NonEmpty
    phone: str | None = None
    channel_customer_id: Identifier | None = None


class OrderLine(CamelModel):
    sku: Identifier
    quantity: Count
    unit_price: Money
    name: str | None = None


class CreateOrderRequest(CamelModel):
    """What a channel posts to create an order on the merchant's platform."""

    order_id: OrderId
    placed_at: Moment
    currency: CurrencyCode
    customer: Customer
    shipping_address: Address
    billing_address: Address | None = None
    lines: list[OrderLine] = Field(min_length=1, max_length=500)
    shipping_total: Money = Decimal(0)
    tax_total: Money = Decimal(0)
    discount_total: Money = Decimal(0)
    prices_include_tax: StrictBool = Field(
        default=False,
        description="true: unit prices and shipping include tax, and taxTotal is only reported.",
    )
    grand_total: Money = Field(
        description="The sum of lines (quantity x unitPrice) + shippingTotal + taxTotal (unless "
        "pricesIncludeTax) - discountTotal, give or take 0.01 per line for rounding."
    )
    shipping_method: str | None = None
    feed_id: Identifier | None = None
    # Both only fill the daily order-sync report's columns (ordersync.reports); neither is sent
    # on unless a mapping template uses it.
    account_id: Identifier | None = Field(
        default=None, description="The buyer's account with the merchant (the report's Account ID)."
    )
    delivery_date: CalendarDate | None = Field(
        default=None, description="When the order is to be delivered, YYYY-MM-DD."
    )

    @field_validator("grand_total")
    @classmethod
    def _adds_up(cls, grand_total: Decimal, info: ValidationInfo) -> Decimal:
        parts = ("lines", "shipping_total", "tax_total", "discount_total", "prices_include_tax")
        if any(part not in info.data for part in parts):
            return grand_total  # a part is invalid and reported already: nothing to add up
        lines: list[OrderLine] = info.data["lines"]
        expected = (
            sum((line.unit_price * line.quantity for line in lines), Decimal(0))
            + info.data["shipping_total"]
            + (Decimal(0) if info.data["prices_include_tax"] else info.data["tax_total"])
            - info.data["discount_total"]
        )
        if abs(grand_total - expected) > ROUNDING_PER_LINE * len(lines):
            raise PydanticCustomError(
                "grand_total_mismatch",
                "the grand total {grand_total} is not the sum of its parts, {expected} "
                "(lines + shipping + tax - discount)",
                {"grand_total": str(grand_total), "expected": str(expected)},
            )
        return grand_total


class CancelOrderRequest(CamelModel):
    reason: str | None = Field(default=None, max_length=500)
    cancelled_at: Moment | None = None


class InvoiceRequest(CamelModel):
    invoice_number: Identifier
    issued_at: Moment
    currency: CurrencyCode
    total: Money
    url: HttpUrl | None = None


class ShipmentLine(CamelModel):
    sku: Identifier
    quantity: Count


class ShipmentRequest(CamelModel):
    """Carrier and tracking are optional here: a shipment without them is accepted and held in
    an alert (Missing Shipping Data), so the merchant can complete it and resend."""

    shipment_id: Identifier
    shipped_at: Moment
    carrier: str | None = Field(default=None, max_length=100)
    tracking_number: str | None = Field(default=None, max_length=100)
    tracking_url: HttpUrl | None = None
    lines: list[ShipmentLine] = Field(default_factory=list, max_length=500)


class RefundRequest(CamelModel):
    refund_id: Identifier
    amount: PositiveMoney
    currency: CurrencyCode
    reason: str | None = Field(default=None, max_length=500)
