"""From what happened on the wire to one catalog code, with the facts its message needs."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ordersync.catalog import outcome
from ordersync.connector import DeliveryError, PlatformResponse, PlatformTimeout
from ordersync.models import OperationType, Outcome

SUCCESS_CODES = {OperationType.CREATE: "Order Created"}
REFUSAL_CODES = {OperationType.CREATE: "Order Creation Failed"}


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _detail(body: Any, text: str) -> str:
    if isinstance(body, dict):
        for name in ("message", "error", "detail", "errors"):
            if body.get(name):
                value = body[name]
                return value if isinstance(value, str) else str(value)
    return text[:300] if text else "no details given"


def classify(
    operation: OperationType,
    *,
    response: PlatformResponse | None = None,
    error: Exception | None = None,
    **facts: Any,
) -> Outcome:
    if error is not None:
        detail = str(error)
        if isinstance(error, PlatformTimeout):
            return outcome("Timeout", detail=detail, **facts)
        if isinstance(error, DeliveryError):
            return outcome("Connection Error", detail=detail, **facts)
        return outcome("Unknown Error", detail=f"{type(error).__name__}: {detail}", **facts)
    if response is None:
        raise ValueError("classify needs a response or an error")

    status = response.status_code
    body = response.json()
    system = {
        "http_code": status,
        "system_call": response.call,
        "system_code": str(body.get("code"))
        if isinstance(body, dict) and body.get("code")
        else None,
        "detail": _detail(body, response.text),
    }
    facts = {**facts, **system}
    if status == 202:
        return outcome("Pending Verification", **facts)
    if 200 <= status < 300:
        identifier = body.get("id") if isinstance(body, dict) else None
        if not identifier:
            return outcome(
                "Invalid Api Response", **{**facts, "detail": "the answer names no order id"}
            )
        return outcome(SUCCESS_CODES[operation], **{**facts, "system_identifier": str(identifier)})
    if status == 401:
        return outcome("Unauthorized", **facts)
    if status == 403:
        return outcome("Forbidden", **facts)
    if status == 404:
        return outcome("Not Found", **facts)
    if status == 429:
        wait = retry_after_seconds(response.headers.get("retry-after"))
        return outcome("Rate Limited", retry_after_seconds=wait, **facts)
    if status in (408, 502, 503, 504) or status >= 500:
        return outcome("Platform Unavailable", **facts)
    if 400 <= status < 500:
        return outcome(REFUSAL_CODES[operation], **facts)
    return outcome("Unknown Error", **facts)
