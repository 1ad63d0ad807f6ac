"""HMAC-SHA256 signatures of a whole request, as ordersync signs its callbacks and as a platform
signs its confirmations: `X-Ordersync-Signature: v2=<hex>` beside `X-Ordersync-Timestamp`.

The signed text is the method, the path, the timestamp and the body, one per line:
`POST\\n/v1/callbacks/<operationId>\\n<timestamp>\\n<body>`. Binding the method and path means a
signature made for one operation cannot be replayed to another's URL; the timestamp lets a
receiver refuse stale copies, and a receiver that remembers the signatures it accepted within
that window (see `operations.replays`) refuses a copy of a fresh one.
"""

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "X-Ordersync-Signature"
TIMESTAMP_HEADER = "X-Ordersync-Timestamp"
SCHEME = "v2"
TOLERANCE_SECONDS = 300

# ASCII only: str.isdigit() also accepts full-width digits and superscripts, which int()
# reads or chokes on.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(rf"{SCHEME}=[0-9a-f]{{64}}")


def signed_text(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return b"\n".join((method.upper().encode(), path.encode(), timestamp.encode(), body))


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    text = signed_text(method, path, timestamp, body)
    return f"{SCHEME}={hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()}"


def malformed(timestamp: str, signature: str) -> str | None:
    """What is wrong with the form of the two headers (not whether they verify), or None."""
    if not _TIMESTAMP.fullmatch(timestamp):
        return f"{TIMESTAMP_HEADER} must be the Unix time in seconds, in ASCII digits"
    if not _SIGNATURE.fullmatch(signature):
        return f"{SIGNATURE_HEADER} must be {SCHEME}=<64 lowercase hex digits>"
    return None


def is_fresh(timestamp: str, *, tolerance_seconds: int = TOLERANCE_SECONDS) -> bool:
    return bool(_TIMESTAMP.fullmatch(timestamp)) and (
        abs(time.time() - int(timestamp)) <= tolerance_seconds
    )


def verify(
    secret: str,
    method: str,
    path: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether `signature` signs this request with `secret` and is fresh; never raises."""
    if malformed(timestamp, signature) or not is_fresh(
        timestamp, tolerance_seconds=tolerance_seconds
    ):
        return False
    expected = sign(secret, method, path, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.encode())
