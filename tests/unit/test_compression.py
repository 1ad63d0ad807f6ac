"""The packing of JSON into DynamoDB items (no AWS): a preset dictionary of the field names
ordersync stores, and every stream written before it still reads."""

import json
import zlib
from typing import Any

import pytest

from ordersync.core import compression
from ordersync.core.compression import pack_json, pack_text, unpack_json, unpack_text
from ordersync.orders.payloads import (
    CancelOrderRequest,
    CreateOrderRequest,
    InvoiceRequest,
    RefundRequest,
    ShipmentRequest,
)
from tests.factories import load_event


def test_a_packed_order_names_its_dictionary_and_reads_back(order_request):
    packed = pack_json(order_request)
    assert packed[1] & 0x20, "the zlib header's FDICT flag"
    assert unpack_json(packed) == order_request


def test_the_dictionary_makes_a_typical_order_a_third_smaller(order_request):
    text = json.dumps(order_request, separators=(",", ":"))
    assert len(pack_text(text)) < 0.75 * len(zlib.compress(text.encode(), 6))


@pytest.mark.parametrize("level", [1, 6, 9])
def test_streams_written_without_a_dictionary_still_read(level):
    text = json.dumps(load_event("requests/create_order.json"))
    assert unpack_text(zlib.compress(text.encode(), level)) == text


def test_a_stream_naming_an_unknown_dictionary_is_refused_not_misread():
    packer = zlib.compressobj(6, zdict=b'{"somethingElse":""}')
    with pytest.raises(KeyError):
        unpack_text(packer.compress(b"{}") + packer.flush())


def _field_names(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return names


@pytest.mark.parametrize(
    "model",
    [CreateOrderRequest, CancelOrderRequest, InvoiceRequest, ShipmentRequest, RefundRequest],
)
def test_every_field_a_channel_may_send_is_in_the_dictionary(model):
    """A new field compresses worse until a new dictionary (added beside this one: stored
    streams name theirs by checksum, so a dictionary in use never changes) names it."""
    dictionary = compression._writing_dictionary()
    missing = sorted(
        name
        for name in _field_names(model.model_json_schema(by_alias=True))
        if f'"{name}":'.encode() not in dictionary
    )
    assert missing == []
