"""Compact storage of JSON and text in DynamoDB items, which are billed per started KB."""

import json
import zlib
from typing import Any


def pack_json(value: Any) -> bytes:
    return pack_text(json.dumps(value, separators=(",", ":")))


def pack_text(text: str) -> bytes:
    return zlib.compress(text.encode(), 6)


def unpack_json(packed: Any) -> Any:
    return json.loads(zlib.decompress(raw_bytes(packed)))


def raw_bytes(packed: Any) -> bytes:
    """The bytes of a binary attribute (boto3 wraps them in Binary)."""
    return bytes(packed.value if hasattr(packed, "value") else packed)
