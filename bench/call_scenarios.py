"""What `python -m bench.calls` does on the local stack to reach every function and every kind
of call its code makes (its docstring lists them); each scenario waits until it has settled.
"""

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.calls_driver import Driver
from local.platform import DEMO_VERIFICATION_SECRET
from local.seed import DEMO_CHANNEL, DEMO_INTEGRATION, DEMO_MERCHANT, USER_PASSWORD
from ordersync.operations.records import message_from_item
from tools.soak import ORDER


def lifecycle_order(run: Driver) -> str:
    """The order `lifecycle` makes, which `repeats` sends again."""
    return f"IAM-{run.tag}-M"


def lifecycle(run: Driver) -> None:
    """Create, then invoice, ship and refund, each retried once by the workflow; its first
    callback is refused once."""
    order = lifecycle_order(run)
    # A callback names the channel's order id; the platform's own routes, its platform id.
    run.fault(kind="status", status=500, path="/callbacks", orderId=order)
    created = run.until(run.send(order, "create"), "synced")
    for operation in ("invoice", "shipment", "refund"):
        _retried_once(run, order)
        run.until(run.send(order, operation), "synced")
    answer = run.http.get(f"/v1/operations/{created}")
    if answer.status_code != 200:
        raise RuntimeError(f"GET /v1/operations/{created}: {answer.status_code}")


def cancellation(run: Driver) -> None:
    order = f"IAM-{run.tag}-C"
    run.until(run.send(order, "create"), "synced")
    _retried_once(run, order)
    run.until(run.send(order, "cancel"), "synced")


def _retried_once(run: Driver, order: str) -> None:
    """The order's next follow-up meets a 503 once: a run's first attempt is counted with its
    lease, so only a Step Functions retry has a delivery function count one itself."""
    order_path = f"/orders/{platform_id(order)}/"
    run.fault(kind="status", status=503, path=order_path, orderId=platform_id(order))


def confirmed_later(run: Driver) -> None:
    """The platform accepts for later (202), then confirms, signed, once ordersync waits."""
    _answer_later(run, "A", {"status": "confirmed", "platformOrderId": "PO-1"}, "synced")


def rejected_later(run: Driver) -> None:
    """The platform accepts a creation for later, then rejects it: the order is forgotten."""
    _answer_later(run, "X", {"status": "rejected", "reason": "no such customer"}, "failed")


def _answer_later(run: Driver, suffix: str, answer_body: dict[str, Any], settles: str) -> None:
    from ordersync.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

    order = f"IAM-{run.tag}-{suffix}"
    run.fault(kind="accept_async", confirm="never", orderId=platform_id(order), path="/orders")
    operation_id = run.until(run.send(order, "create"), "pending_verification")
    body = json.dumps(answer_body).encode()
    stamp = str(int(time.time()))
    answer = httpx.post(
        f"{run.stack.url}/v1/callbacks/{operation_id}",
        content=body,
        headers={
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(
                DEMO_VERIFICATION_SECRET, "POST", f"/v1/callbacks/{operation_id}", stamp, body
            ),
        },
    )
    if answer.status_code != 200:
        raise RuntimeError(f"confirmation refused: {answer.status_code} {answer.text}")
    run.until(operation_id, settles)


def blocked_follow_up(run: Driver) -> None:
    """An invoice before its order: blocked, then released by the order's creation."""
    order = f"IAM-{run.tag}-B"
    invoice = run.until(run.send(order, "invoice"), "blocked")
    run.until(run.send(order, "create"), "synced")
    run.until(invoice, "synced")


def budget_spent(run: Driver) -> None:
    order = f"IAM-{run.tag}-R"
    run.fault(kind="status", status=500, path="/orders", orderId=platform_id(order), times=100)
    run.until(run.send(order, "create"), "skipped")


def early_copy(run: Driver) -> None:
    """A retry due beyond SQS's longest delay (15 minutes) arrives before it is due: the
    dispatcher hides it until then (its visibility); its run then finds the order synced."""
    order = f"IAM-{run.tag}-E"
    created = run.until(run.send(order, "create"), "synced")
    due = datetime.now(UTC) + timedelta(seconds=2)
    early = message_from_item(run.item(created)).model_copy(update={"not_before": due})
    run.sqs.send_message(
        QueueUrl=run.stack.resources["OperationsQueue"],
        MessageBody=early.model_dump_json(by_alias=True),
    )
    run.wait("the early copy to run", run.idle)


def repeats(run: Driver, order: str) -> None:
    """The same create again, then another body for it: a 409."""
    run.send(order, "create")
    body = {**ORDER, "orderId": order, "currency": "USD"}
    answer = run.http.post("/v1/orders", json=body)
    if answer.status_code != 409:
        raise RuntimeError(f"a conflicting repeat: {answer.status_code} {answer.text}")


def merchant_admin(run: Driver) -> None:
    """A merchant admin signs in, reads who they are and their users, invites one, and
    changes the new user's role (which moves them between Cognito groups)."""
    with _signed_in(run, "admin@demo-merchant.test") as admin:
        for path in ("/v1/me", "/v1/users", "/v1/catalog"):
            admin.get(path).raise_for_status()
        invited = admin.post(
            "/v1/users", json={"email": f"iam-{run.tag}@demo-merchant.test", "role": "viewer"}
        )
        if invited.status_code != 201:
            raise RuntimeError(f"invite: {invited.status_code} {invited.text}")
        changed = admin.put(f"/v1/users/{invited.json()['userId']}", json={"role": "operator"})
        if changed.status_code != 200:
            raise RuntimeError(f"role change: {changed.status_code} {changed.text}")


def merchant_lists(run: Driver, order: str) -> None:
    """A viewer lists alerts (off the index, and with a column only the item has) and history,
    opens one alert, and reads `order`'s story."""
    with _signed_in(run, "viewer@demo-merchant.test") as viewer:
        alerts = _read(viewer, "/v1/alerts", level="success", limit="5")
        _read(viewer, "/v1/alerts", columns="orderId,nextStep", limit="5")
        _read(viewer, f"/v1/alerts/{alerts['items'][0]['alertId']}")
        _read(viewer, "/v1/history", code="Order Created", limit="5")
        _read(viewer, f"/v1/orders/{order}/history")


def _read(client: httpx.Client, path: str, **query: str) -> Any:
    answer = client.get(path, params=query)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text}")
    return answer.json()


def _signed_in(run: Driver, email: str) -> httpx.Client:
    """A client that sends `email`'s id token (a seeded user, signed in locally)."""
    signed_in = httpx.post(
        f"{run.stack.url}/_local/sign-in", json={"email": email, "password": USER_PASSWORD}
    )
    signed_in.raise_for_status()
    return httpx.Client(
        base_url=run.stack.url,
        headers={"Authorization": f"Bearer {signed_in.json()['token']}"},
        timeout=30,
    )


def console(run: Driver) -> None:
    """An order the platform rejects, then worked through in the console."""
    from bench.console_scenario import console as in_console

    order = f"IAM-{run.tag}-K"
    run.fault(kind="reject", message="no such ship method", orderId=platform_id(order))
    run.until(run.send(order, "create"), "failed")
    in_console(run, order)


def merchant_exports(run: Driver) -> None:
    """A viewer exports (the driver's threshold is one row): a list that matches nothing is the
    CSV file itself; the history as XLSX; then every alert, with a column read from the item
    (BatchGetItem), and the whole history, each a job the export function writes into S3; their
    links are read."""
    with _signed_in(run, "viewer@demo-merchant.test") as viewer:
        nothing = {"identifier": f"none-{run.tag}"}
        for path, format_ in (("/v1/alerts/export", "csv"), ("/v1/history/export", "xlsx")):
            answer = viewer.get(path, params={**nothing, "format": format_})
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
        jobs = []
        for path, params in (
            ("/v1/alerts/export", {"columns": "orderId,attempts"}),
            ("/v1/history/export", {"format": "xlsx"}),
        ):
            started = viewer.get(path, params=params)
            if started.status_code != 202:
                raise RuntimeError(f"{path} as a job: {started.status_code} {started.text}")
            jobs.append(f"/v1/exports/{started.json()['exportId']}")

        def done() -> bool:
            return all(_read(viewer, job)["status"] == "done" for job in jobs)

        run.wait("the export jobs", done)
        for job in jobs:
            httpx.get(_read(viewer, job)["downloadUrl"]).raise_for_status()


def platform_id(order: str) -> str:
    """The simulated platform knows an order as <channel>.<order id>."""
    from ordersync.core.models import external_order_id

    return external_order_id(DEMO_CHANNEL, order)


def sweep(run: Driver) -> None:
    """One overdue operation of each watch, then sweeps until each was claimed."""
    from ordersync.core.clock import iso
    from ordersync.core.models import OperationMessage
    from ordersync.operations.models import Deadline, OperationStatus, Watch
    from ordersync.operations.records import OperationStore

    store = OperationStore()
    past = datetime.now(UTC) - timedelta(hours=1)
    overdue = {}
    for kind in ("queued", "verification", "retry"):
        message = OperationMessage.model_validate(
            {
                "operation_id": f"iam-{run.tag}-{kind}",
                "operation": "create",
                "merchant_id": DEMO_MERCHANT,
                "integration_id": DEMO_INTEGRATION,
                "channel_id": DEMO_CHANNEL,
                "order_id": f"IAM-{run.tag}-{kind}",
                "accepted_at": past,
                "payload": ORDER,
            }
        )
        store.create(message)  # watched as queued since `past`
        overdue[kind] = message.operation_id
    store.record(
        overdue["verification"],
        status=OperationStatus.PENDING_VERIFICATION,
        attempts=1,
        outcome=None,
        where="accepted for later",
        deadline=Deadline(watch=Watch.VERIFICATION, until=past),
    )
    # Finished already, so the copy the sweep sends is acknowledged without a run.
    store.record(
        overdue["retry"],
        status=OperationStatus.SYNCED,
        attempts=1,
        outcome=None,
        where="its message was lost",
        deadline=Deadline(watch=Watch.RETRY, until=past),
    )

    def claimed() -> bool:
        return all(
            run.item(operation_id).get("watchUntil", {}).get("S") != iso(past)
            for operation_id in overdue.values()
        )

    def swept() -> bool:
        run.wait("an empty queue before the sweep", run.idle)
        run.stack.functions.invoke("SweeperFunction", {"source": "aws.scheduler"})
        return claimed()

    run.wait("a sweep that claims every overdue operation", swept)
