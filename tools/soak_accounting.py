"""The soak's accounting: where every accepted operation ended (synced, waiting for a person,
dead-lettered, blocked by its order), what the platform applied twice, and nothing lost."""

from collections import Counter
from typing import Any, Protocol

# Failures that wait for a person: settled, not lost.
SETTLED_FAILURE = {"needs action", "final"}


class Driven(Protocol):
    accepted: dict[str, Any]
    refused: int
    server_errors: Any


def settled(operation: dict[str, Any]) -> bool:
    if operation.get("status") in ("synced", "skipped"):
        return True
    last = operation.get("lastResponse") or {}
    return operation.get("status") == "failed" and last.get("retryClass") in SETTLED_FAILURE


def account(
    found: dict[str, dict[str, Any]],
    stats: dict[str, Any],
    stack: dict[str, Any],
    soak: Driven,
    seconds: float,
) -> dict[str, Any]:
    """The soak's line: from the operations as read back, the platform's effects and the
    stack's queues."""
    create_synced = {
        op["orderId"]
        for op in found.values()
        if op.get("operation") == "create" and op.get("status") == "synced"
    }
    unsynced = [op for op in found.values() if op.get("status") != "synced"]
    # A follow-up of an order that was never created (its creation waits for a person)
    # cannot sync, whatever its own class; it is blocked, not a transient failure left over.
    blocked = [
        op for op in unsynced if op["operation"] != "create" and op["orderId"] not in create_synced
    ]
    still_transient = [
        op
        for op in unsynced
        if op not in blocked and (op.get("lastResponse") or {}).get("retryClass") == "transient"
    ]
    return {
        "accepted": len(soak.accepted),
        "synced": sum(op.get("status") == "synced" for op in found.values()),
        "open_alerts": sum(op.get("status") == "failed" and settled(op) for op in found.values()),
        "dlq": stack["queues"]["OperationsDeadLetterQueue"]["visible"],
        "skipped": sum(op.get("status") == "skipped" for op in found.values()),
        "lost": sum(not settled(op) for op in found.values()),
        "duplicated": stats["duplicated"],
        "transient_unsynced": len(still_transient),
        "refused_by_api": soak.refused,
        "server_errors": soak.server_errors,
        "blocked_by_their_order": len(blocked),
        "unsynced_by_code": dict(
            Counter(
                f"{op.get('status')}:{(op.get('lastResponse') or {}).get('code')}"
                for op in unsynced
                if op not in blocked
            )
        ),
        "took_seconds": round(seconds),
        "operations_per_second": round(len(soak.accepted) / seconds, 2),
    }
