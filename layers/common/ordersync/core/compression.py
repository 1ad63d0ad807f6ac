"""Compact storage of JSON and text in DynamoDB items, which are billed per started KB.

What we compress is short (an order, its translation, the platform's answer: a few hundred
bytes), too short for zlib to learn its field names before it is over. A preset dictionary
gives them to it up front: a typical order's history record went from 1,100 bytes to about
950, under one write unit. zlib writes the dictionary's checksum into each stream's header, so
a reader finds the dictionary a stream needs, and streams written without one still read.
"""

import json
import zlib
from functools import cache
from typing import Any

# The documents ordersync packs, as skeletons in the order their fields are written: the
# channels' bodies (orders.payloads), the default translation's additions, the platform's
# answers, an alert callback's body, a classified outcome (core.models.Outcome).
# A stream names its dictionary by checksum: once records are written with this one it must
# never change. A new field gets a new dictionary added to DICTIONARIES (and used for writing);
# the old ones stay for reading.
_ADDRESS = {
    "name": "",
    "line1": "",
    "line2": "",
    "city": "",
    "region": "",
    "postalCode": "",
    "country": "",
    "phone": "",
}
_SKELETONS_V1: tuple[dict[str, Any], ...] = (
    {
        "code": "",
        "level": "",
        "type": "",
        "retryClass": "",
        "businessMessage": "",
        "action": "",
        "httpCode": 200,
        "systemCode": "",
        "systemCall": "",
        "systemIdentifier": "",
        "retryAfterSeconds": 1,
    },
    {
        "operationId": "",
        "operation": "",
        "orderId": "",
        "externalId": "",
        "channel": "",
        "reference": "",
        "status": "",
        "code": "",
        "level": "",
        "message": "",
        "action": "",
        "sentAt": "",
    },
    {"reason": "", "cancelledAt": ""},
    {"invoiceNumber": "", "issuedAt": "", "currency": "", "total": "", "url": ""},
    {
        "shipmentId": "",
        "shippedAt": "",
        "carrier": "",
        "trackingNumber": "",
        "trackingUrl": "",
        "lines": [{"sku": "", "quantity": 1}],
    },
    {"refundId": "", "amount": "", "currency": "", "reason": ""},
    {"id": "", "status": ""},
    {
        "orderId": "",
        "placedAt": "",
        "currency": "",
        "customer": {
            "email": "",
            "firstName": "",
            "lastName": "",
            "phone": "",
            "channelCustomerId": "",
        },
        "shippingAddress": _ADDRESS,
        "billingAddress": _ADDRESS,
        "lines": [{"sku": "", "quantity": 1, "unitPrice": "", "name": ""}],
        "shippingTotal": "",
        "taxTotal": "",
        "discountTotal": "",
        "pricesIncludeTax": False,
        "grandTotal": "",
        "shippingMethod": "",
        "feedId": "",
        "accountId": "",
        "deliveryDate": "",
        "externalId": "",
        "channel": "",
    },
)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _dictionary(skeletons: tuple[dict[str, Any], ...]) -> bytes:
    """The skeletons as they are packed on their own, then as the text of a JSON document
    (escaped: a history record packs its contents, themselves JSON, as strings)."""
    plain = "".join(_compact(skeleton) for skeleton in skeletons)
    nested = _compact({"contentSource": plain, "contentTranslated": "", "contentDestination": ""})
    return (plain + nested).encode()


@cache
def _writing_dictionary() -> bytes:
    return _dictionary(_SKELETONS_V1)


@cache
def _dictionaries() -> dict[int, bytes]:
    """Every dictionary a stored stream may name, by its checksum (as zlib's header holds it)."""
    return {zlib.adler32(dictionary): dictionary for dictionary in (_writing_dictionary(),)}


def pack_json(value: Any) -> bytes:
    return pack_text(_compact(value))


def pack_text(text: str) -> bytes:
    packer = zlib.compressobj(6, zdict=_writing_dictionary())
    return packer.compress(text.encode()) + packer.flush()


def unpack_json(packed: Any) -> Any:
    return json.loads(unpack_text(packed))


def unpack_text(packed: Any) -> str:
    data = raw_bytes(packed)
    # The header's FDICT flag: a dictionary's checksum follows the two header bytes.
    if len(data) > 6 and data[1] & 0x20:
        dictionary = _dictionaries()[int.from_bytes(data[2:6], "big")]
        unpacker = zlib.decompressobj(zdict=dictionary)
        return (unpacker.decompress(data) + unpacker.flush()).decode()
    return zlib.decompress(data).decode()


def raw_bytes(packed: Any) -> bytes:
    """The bytes of a binary attribute (boto3 wraps them in Binary)."""
    return bytes(packed.value if hasattr(packed, "value") else packed)
