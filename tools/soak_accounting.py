"""The soak's accounting: where every accepted operation ended (synced, waiting for a person,
dead-lettered, blocked by its order), what the platform applied twice, and nothing lost."""

import json
from collections import Counter
from typing import Any, Protocol

# Failures that wait for a person: settled, not lost.
SETTLED_FAILURE = {"needs action", "final"}


class Driven(Protocol):
    accepted: dict[str, Any]
    refused: int
    server_errors: Any


def settled(operation: dict[str, Any]) -> bool:
    # Ignored: a person's decision (the soak's last phase ignores rejected orders).
    if operation.get("status") in ("synced", "skipped", "blocked", "ignored"):
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
    blocked = [op for op in unsynced if op.get("status") == "blocked"]
    # Blocked by an order that was created after all: its release never came.
    never_released = [op for op in blocked if op["orderId"] in create_synced]
    still_transient = [
        op
        for op in unsynced
        if op not in blocked and (op.get("lastResponse") or {}).get("retryClass") == "transient"
    ]
    return {
        "accepted": len(soak.accepted),
        "synced": sum(op.get("status") == "synced" for op in found.values()),
        "open_alerts": sum(op.get("status") == "failed" and settled(op) for op in found.values()),
        "blocked": len(blocked),
        "never_released": len(never_released),
        "dlq": stack["queues"]["OperationsDeadLetterQueue"]["visible"],
        "skipped": sum(op.get("status") == "skipped" for op in found.values()),
        "lost": sum(not settled(op) for op in found.values()),
        "duplicated": stats["duplicated"],
        "transient_unsynced": len(still_transient),
        "refused_by_api": soak.refused,
        "server_errors": soak.server_errors,
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


def dead_letter_identity(
    dead_letters: list[dict[str, Any]], found: dict[str, dict[str, Any]]
) -> dict[str, list[str]]:
    """Every message in the dead-letter queue is one skipped operation, and every skipped
    operation has exactly one: what breaks that, by kind (all empty when it holds)."""
    copies = Counter(message["operationId"] for message in dead_letters)
    skipped = {key for key, op in found.items() if op.get("status") == "skipped"}
    return {
        "second_copies": sorted(key for key, count in copies.items() if count > 1),
        "not_skipped": sorted(key for key in copies if key not in skipped),
        "skipped_without_a_copy": sorted(skipped - set(copies)),
    }


def peek(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """The bodies of every message in the queue, each once, left in the queue: each is hidden
    for a moment while the queue is read, then made visible again."""
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
        ).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        for message in batch:
            seen[message["MessageId"]] = (message["ReceiptHandle"], json.loads(message["Body"]))
        if not fresh:
            break
    for handle, _ in seen.values():
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    return [body for _, body in seen.values()]
