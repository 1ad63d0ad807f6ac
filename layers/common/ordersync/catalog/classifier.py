"""From what happened on the wire to one catalog code, with the facts its message needs."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ordersync.catalog.codes import outcome
from ordersync.catalog.platform import DeliveryError, PlatformResponse, PlatformTimeout
from ordersync.core.models import OperationType, Outcome

SUCCESS_CODES = {
    OperationType.CREATE: "Order Created",
    OperationType.CANCEL: "Order Cancelled",
    OperationType.INVOICE: "Order Invoice Created",
    OperationType.SHIPMENT: "Order Updated",
    OperationType.REFUND: "Refund Created",
}
WARNING_CODES = {
    OperationType.SHIPMENT: "Order Shipment Warning",
    OperationType.REFUND: "Refund Warning",
}
REFUSAL_CODES = {
    OperationType.CREATE: "Order Creation Failed",
    OperationType.CANCEL: "Order Cancellation Failed",
    OperationType.INVOICE: "Order Invoice Creation Failed",
    OperationType.SHIPMENT: "Order Shipment Update Failed",
    OperationType.REFUND: "Refund Creation Failed",
}
# Reason codes a platform may put in its answer, and what they mean in the catalog. An
# integration can add its platform's own (Integration.system_codes).
SYSTEM_CODES = {
    "DUPLICATE_CUSTOMER": "Duplicate Customer",
    "DUPLICATE_REFUND": "Duplicate Refund",
    "ALREADY_CANCELLED": "Order Already Cancelled",
    "CANCELLED_IN_CHANNEL": "Order Cancelled In Channel",
    "INVALID_STATUS": "Invalid Status Transition",
    "NOT_PROCESSED": "Not Processed",
    "SKU_NOT_FOUND": "SKU Not Found",
    "SKU_INACTIVE": "SKU Inactive",
    "VALUE_DIVERGENCE": "Value Divergence",
}


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
        for name in ("message", "error", "detail", "errors", "warnings"):
            if body.get(name):
                value = body[name]
                return value if isinstance(value, str) else json_list(value)
    return text[:300] if text else "no details given"


def json_list(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def classify(
    operation: OperationType,
    /,
    *,
    response: PlatformResponse | None = None,
    error: Exception | None = None,
    system_codes: dict[str, str] | None = None,
    **facts: Any,
) -> Outcome:
    facts.setdefault("operation", operation.value)
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
    reason = str(body.get("code")) if isinstance(body, dict) and body.get("code") else None
    facts |= {
        "http_code": status,
        "system_call": response.call,
        "system_code": reason,
        "detail": _detail(body, response.text),
    }
    if isinstance(body, dict) and body.get("id") and 200 <= status < 300:
        facts["system_identifier"] = str(body["id"])
    known = {**SYSTEM_CODES, **(system_codes or {})}
    if reason in known:
        return outcome(known[reason], **facts)
    if status == 202:
        return outcome("Pending Verification", **facts)
    if 200 <= status < 300:
        return _success(operation, body, facts)
    if status == 401:
        return outcome("Unauthorized", **facts)
    if status == 403:
        return outcome("Forbidden", **facts)
    if status == 404:
        return outcome("Not Found", **facts)
    if status == 429:
        wait = retry_after_seconds(response.headers.get("retry-after"))
        return outcome("Rate Limited", retry_after_seconds=wait, **facts)
    if status == 408 or status >= 500:
        return outcome("Platform Unavailable", **facts)
    if 400 <= status < 500:
        return outcome(REFUSAL_CODES[operation], **facts)
    return outcome("Unknown Error", **facts)


def _success(operation: OperationType, body: Any, facts: dict[str, Any]) -> Outcome:
    if not isinstance(body, dict):
        return outcome(
            "Invalid Api Response", **{**facts, "detail": "the answer is not a JSON object"}
        )
    if body.get("processed") is False:
        return outcome("Not Processed", **facts)
    identifier = body.get("id")
    if operation is OperationType.CREATE and not identifier:
        return outcome(
            "Invalid Api Response", **{**facts, "detail": "the answer names no order id"}
        )
    facts["system_identifier"] = str(identifier) if identifier else facts.get("system_identifier")
    if body.get("warnings"):
        facts["detail"] = json_list(body["warnings"])
        return outcome(WARNING_CODES.get(operation, "Order Warning"), **facts)
    return outcome(SUCCESS_CODES[operation], **facts)
