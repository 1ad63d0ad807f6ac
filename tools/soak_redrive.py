"""The soak's end: the dead-letter queue redriven until it is empty, each round checked to hold
exactly one message per skipped operation, and the verdict on the whole run."""

from typing import Any, Protocol

from tools.redrive import local_client, local_stack_state, redrive_local
from tools.soak_accounting import dead_letter_identity, peek


class Settling(Protocol):
    url: str

    def settle(self, deadline_seconds: float) -> dict[str, dict[str, Any]]: ...


REDRIVE_ROUNDS = 4


def redrive_until_empty(
    soak: Settling, found: dict[str, dict[str, Any]], settle_seconds: float
) -> tuple[list[int], dict[str, list[str]]]:
    """Redrive the DLQ and settle, until it is empty; before each round, check that every
    message in it is exactly one skipped operation. The messages moved each round, and what
    broke the identity (nothing, when it held every time)."""
    stack = local_stack_state(soak.url)
    sqs = local_client(stack, "sqs")
    moved: list[int] = []
    broken: dict[str, list[str]] = {}
    for _ in range(REDRIVE_ROUNDS):
        dead = peek(sqs, stack["resources"]["OperationsDeadLetterQueue"])
        if not dead:
            break
        for kind, keys in dead_letter_identity(dead, found).items():
            if keys:
                broken.setdefault(kind, []).extend(keys)
        moved.append(redrive_local(soak.url, report=lambda moved, total: None))
        found = soak.settle(settle_seconds)
    return moved, broken


def passed(result: dict[str, Any]) -> bool:
    """Nothing lost or applied twice, nothing transient left over, every operation in exactly
    one place, and every message the DLQ ever held one skipped operation."""
    places = result["synced"] + result["open_alerts"] + result["blocked"] + result["skipped"]
    return (
        result["lost"] == 0
        and result["duplicated"] == 0
        and result["transient_unsynced"] == 0
        and result["never_released"] == 0
        and not result["identity"]
        and places == result["accepted"]
        and result["dlq"] == result["skipped"]
    )
