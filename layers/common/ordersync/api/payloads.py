"""What channels send: the bodies of the order routes, validated before anything is accepted."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """JSON speaks camelCase, Python speaks snake_case; unknown fields are a client mistake."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]


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
    channel_customer_id: str | None = None


class OrderLine(CamelModel):
    sku: NonEmpty
    quantity: int = Field(gt=0, le=100_000)
    unit_price: Money
    name: str | None = None


class CreateOrderRequest(CamelModel):
    """What a channel posts to create an order on the merchant's platform."""

    order_id: NonEmpty
    placed_at: datetime
    currency: CurrencyCode
    customer: Customer
    shipping_address: Address
    billing_address: Address | None = None
    lines: list[OrderLine] = Field(min_length=1, max_length=500)
    shipping_total: Money = Decimal(0)
    tax_total: Money = Decimal(0)
    grand_total: Money
    shipping_method: str | None = None
    feed_id: str | None = None


class CancelOrderRequest(CamelModel):
    reason: str | None = Field(default=None, max_length=500)
    cancelled_at: datetime | None = None


class InvoiceRequest(CamelModel):
    invoice_number: NonEmpty
    issued_at: datetime
    currency: CurrencyCode
    total: Money
    url: HttpUrl | None = None


class ShipmentLine(CamelModel):
    sku: NonEmpty
    quantity: int = Field(gt=0, le=100_000)


class ShipmentRequest(CamelModel):
    """Carrier and tracking are optional here: a shipment without them is accepted and held in
    an alert (Missing Shipping Data), so the merchant can complete it and resend."""

    shipment_id: NonEmpty
    shipped_at: datetime
    carrier: str | None = Field(default=None, max_length=100)
    tracking_number: str | None = Field(default=None, max_length=100)
    tracking_url: HttpUrl | None = None
    lines: list[ShipmentLine] = Field(default_factory=list, max_length=500)


class RefundRequest(CamelModel):
    refund_id: NonEmpty
    amount: Money = Field(gt=0)
    currency: CurrencyCode
    reason: str | None = Field(default=None, max_length=500)
