"""HMAC-SHA256 signatures over "<timestamp>.<body>", as ordersync signs its callbacks and as a
platform signs its confirmations: `X-Ordersync-Signature: v1=<hex>` beside
`X-Ordersync-Timestamp`, so a receiver can refuse stale copies."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Ordersync-Signature"
TIMESTAMP_HEADER = "X-Ordersync-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance_seconds: int = 300
) -> bool:
    fresh = abs(time.time() - int(timestamp)) <= tolerance_seconds if timestamp.isdigit() else False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)
