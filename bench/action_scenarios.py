"""What `python -m bench.calls` does to reach every call of the merchant actions: an operator
retries, resends, ignores, unignores and marks failed orders as synced, one at a time and by
ids (the merchant API), and runs three bulk jobs by filter (BulkActionsFunction), whose filters
are answered by three different indexes (by code, by created time with its items read by key,
by updated time)."""

from typing import Any

import httpx

from bench.calls_driver import Driver
from local.seed import DEMO_CHANNEL, DEMO_INTEGRATION, USER_PASSWORD
from tools.soak import ORDER

OPERATOR = "operator@demo-merchant.test"


def _operator(run: Driver) -> httpx.Client:
    signed_in = httpx.post(
        f"{run.stack.url}/_local/sign-in", json={"email": OPERATOR, "password": USER_PASSWORD}
    )
    signed_in.raise_for_status()
    return httpx.Client(
        base_url=run.stack.url,
        headers={"Authorization": f"Bearer {signed_in.json()['token']}"},
        timeout=30,
    )


def _rejected(run: Driver, order: str) -> str:
    """A create the platform rejects once (needs a person); its alert's id."""
    from ordersync.alerts.ids import alert_id
    from ordersync.core.models import entity_key, external_order_id

    run.fault(
        kind="reject",
        message="blocked",
        path="/orders",
        orderId=external_order_id(DEMO_CHANNEL, order),
    )
    run.until(run.send(order, "create"), "failed")
    return alert_id(entity_key(DEMO_INTEGRATION, "order", order, channel_id=DEMO_CHANNEL))


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text}")
    return answer.json()


def _job(run: Driver, operator: httpx.Client, action: str, job_filter: dict[str, Any]) -> None:
    job = _ok(operator.post("/v1/alerts/bulk", json={"action": action, "filter": job_filter}), 202)

    def finished() -> bool:
        return bool(_ok(operator.get(f"/v1/alerts/bulk/{job['jobId']}"))["status"] == "finished")

    run.wait(f"bulk {action} by {job_filter}", finished)


def merchant_actions(run: Driver) -> None:
    orders = {name: f"IAM-{run.tag}-{name}" for name in ("RT", "RS", "IG", "MS", "J1", "J2")}
    alerts = {name: _rejected(run, order) for name, order in orders.items()}
    with _operator(run) as operator:
        _ok(operator.post(f"/v1/alerts/{alerts['RT']}/retry"))
        corrected = {**ORDER, "orderId": orders["RS"], "shippingMethod": "express"}
        corrected["customer"] = {
            **ORDER["customer"],
            "email": f"{orders['RS'].lower()}@example.com",
        }
        _ok(operator.post(f"/v1/alerts/{alerts['RS']}/resend", json=corrected))
        _ok(operator.post(f"/v1/alerts/{alerts['IG']}/ignore"))
        _ok(operator.post(f"/v1/alerts/{alerts['IG']}/unignore"))
        _ok(operator.post("/v1/alerts/bulk", json={"action": "retry", "ids": [alerts["IG"]]}))
        _ok(operator.post(f"/v1/alerts/{alerts['MS']}/mark-synced"))
        _job(run, operator, "ignore", {"code": "Order Creation Failed", "identifier": orders["J1"]})
        _job(
            run,
            operator,
            "retry",
            # The job just ignored it: a filter finds an ignored alert only when it asks.
            {"createdBefore": "2999-01-01T00:00:00Z", "identifier": orders["J1"], "ignored": True},
        )
        _job(run, operator, "mark-synced", {"identifier": orders["J2"]})
    run.wait("the actions' runs to end", run.idle)
