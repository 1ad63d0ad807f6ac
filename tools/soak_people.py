"""The soak's last phase: a person settles every rejected creation, as a merchant would on
Monday morning. The operator lists the open alerts of the creations the platform refused,
retries half of them and ignores the other half, by alert id through `POST /v1/alerts/bulk`;
then every follow-up that waited for one of those orders must have run (its order synced) or
been released (ignored with its order), and nothing may still be blocked."""

from collections.abc import Iterator
from typing import Any, Protocol

import httpx

from tools.soak_accounting import settled
from tools.soak_redrive import redrive_until_empty

OPERATOR = {"email": "operator@demo-merchant.test", "password": "ordersync-local"}
BULK_LIMIT = 1000  # ids per bulk request (the route's own limit)


class Settling(Protocol):
    url: str

    def settle(self, deadline_seconds: float) -> dict[str, dict[str, Any]]: ...


def rejected_creations(found: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Order id -> code, for each creation left failed (waiting for a person)."""
    return {
        op["orderId"]: (op.get("lastResponse") or {}).get("code", "")
        for op in found.values()
        if op.get("operation") == "create" and op.get("status") == "failed"
    }


def split(order_ids: list[str]) -> tuple[set[str], set[str]]:
    """Alternate, in a stable order: (to retry, to ignore)."""
    ordered = sorted(order_ids)
    return set(ordered[0::2]), set(ordered[1::2])


def _open_alerts(client: httpx.Client, code: str) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"code": code, "status": "open", "limit": 200}
    while True:
        page = client.get("/v1/alerts", params=params)
        page.raise_for_status()
        answer = page.json()
        yield from answer["items"]
        if not answer.get("cursor"):
            return
        params["cursor"] = answer["cursor"]


def _alert_of(client: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    """What the alert list shows for an order the code's list did not (for the report)."""
    answer = client.get("/v1/alerts", params={"identifier": order_id})
    rows = answer.json().get("items", []) if answer.status_code == 200 else []
    return rows or [{"answer": answer.text}]


def _act(client: httpx.Client, action: str, alert_ids: list[str]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for first in range(0, len(alert_ids), BULK_LIMIT):
        answer = client.post(
            "/v1/alerts/bulk",
            json={"action": action, "ids": alert_ids[first : first + BULK_LIMIT]},
            timeout=300,
        )
        answer.raise_for_status()
        results += answer.json()["results"]
    return results


def settle_rejected(
    soak: Settling, found: dict[str, dict[str, Any]], settle_seconds: float
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Retry half of the rejected creations and ignore the rest, then settle. The operations
    as read back after it, and what the person's actions did."""
    rejected = rejected_creations(found)
    to_retry, to_ignore = split(list(rejected))
    token = httpx.post(f"{soak.url}/_local/sign-in", json=OPERATOR, timeout=60)
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    chosen: dict[str, list[str]] = {"retry": [], "ignore": []}
    seen_orders: list[str] = []
    with httpx.Client(base_url=soak.url, headers=headers, timeout=60) as client:
        for code in sorted(set(rejected.values())):
            for alert in _open_alerts(client, code):
                order_id = alert["orderId"]
                seen_orders.append(order_id)
                if order_id in to_retry:
                    chosen["retry"].append(alert["alertId"])
                elif order_id in to_ignore:
                    chosen["ignore"].append(alert["alertId"])
        acted = {action: _act(client, action, ids) for action, ids in chosen.items()}
        listed = set(seen_orders)
        unlisted = {
            order_id: _alert_of(client, order_id) for order_id in sorted(set(rejected) - listed)
        }
    after = soak.settle(settle_seconds)
    not_done = [r for results in acted.values() for r in results if r.get("result") != "done"]
    return after, {
        "rejected_orders": len(rejected),
        "retried": len(chosen["retry"]),
        "ignored": len(chosen["ignore"]),
        "not_done": not_done[:5],
        "not_done_count": len(not_done),
        "unlisted": unlisted,
        "to_retry": to_retry,
        "to_ignore": to_ignore,
    }


def followups_after(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], people: dict[str, Any]
) -> dict[str, int]:
    """Each follow-up blocked before the person acted: run (synced, its order retried),
    released (ignored, its order ignored), or neither (still blocked, or somewhere else)."""
    counts = {"blocked_then_run": 0, "blocked_then_released": 0, "blocked_left": 0}
    for key, op in before.items():
        if op.get("status") != "blocked":
            continue
        now = after[key].get("status")
        if op["orderId"] in people["to_retry"] and now == "synced":
            counts["blocked_then_run"] += 1
        elif op["orderId"] in people["to_ignore"] and now == "ignored":
            counts["blocked_then_released"] += 1
        else:
            counts["blocked_left"] += 1
    counts["still_blocked"] = sum(op.get("status") == "blocked" for op in after.values())
    counts["retried_not_synced"] = sum(
        op.get("operation") == "create"
        and op["orderId"] in people["to_retry"]
        and op.get("status") != "synced"
        for op in after.values()
    )
    return counts


def people_phase(
    soak: Settling, found: dict[str, dict[str, Any]], settle_seconds: float, platform: str
) -> dict[str, Any]:
    """The person's phase and its verdict's figures: what was retried and ignored, where each
    blocked follow-up went, and that nothing was lost or applied twice on the way."""
    after, people = settle_rejected(soak, found, settle_seconds)
    redrives, identity = redrive_until_empty(soak, after, settle_seconds)
    if redrives:
        after = soak.settle(settle_seconds)
    figures = followups_after(found, after, people)
    return {
        "rejected_orders": people["rejected_orders"],
        "retried": people["retried"],
        "ignored": people["ignored"],
        "not_done": people["not_done_count"],
        "unlisted": people["unlisted"],
        **figures,
        "lost_after": sum(not settled(op) for op in after.values()),
        "duplicated_after": httpx.get(f"{platform}/_platform/stats").json()["duplicated"],
        "redrives_after": redrives,
        "identity_after": identity,
    }


def people_passed(figures: dict[str, Any]) -> bool:
    return (
        figures["retried"] + figures["ignored"] == figures["rejected_orders"]
        and figures["not_done"] == 0
        and figures["blocked_left"] == 0
        and figures["still_blocked"] == 0
        and figures["retried_not_synced"] == 0
        and figures["lost_after"] == 0
        and figures["duplicated_after"] == 0
        and not figures["identity_after"]
    )


def describe_people(people: dict[str, Any]) -> str:
    return (
        f"soak: then a person retried {people['retried']} and ignored {people['ignored']} of "
        f"{people['rejected_orders']} rejected orders: blocked follow-ups "
        f"run={people['blocked_then_run']} released={people['blocked_then_released']} "
        f"left={people['blocked_left']} still_blocked={people['still_blocked']} "
        f"lost={people['lost_after']} duplicated={people['duplicated_after']}"
    )
