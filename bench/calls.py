"""`python -m bench.calls`: every function's AWS calls, recorded on the local stack, as the IAM
permissions they need (prints JSON). The least-privilege test compares them with template.yaml.

One run that reaches every function and every kind of call its code makes, in a few seconds:
- orders created, cancelled, invoiced, shipped and refunded (the API, the authorizer, the
  dispatcher and its queue's event-source mapping, each delivery function, the outcome and
  the callback tasks), and one read back through GET /v1/operations/{id};
- a platform that accepts for later (202), confirmed over POST /v1/callbacks/{id};
- a callback the platform refuses once (the callback's own alert is written);
- a platform that keeps failing until the retry budget (2 here) is spent: the dispatcher
  postpones the message, then moves it to the dead-letter queue;
- a create sent again: with the same body (the first answer), with another (a conflict), and
  with another once its idempotency record has expired (the record of the refusal is deleted);
- a sweep over one overdue operation of each kind (queued, unverified, retry whose message is
  gone), which flags, alerts and requeues.

The stack runs in this process, so `bench.instrument` can see each handler's requests.

Usage: python -m bench.calls [--output FILE]
"""

import argparse
import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.dynamo_meter import table_shapes
from bench.instrument import install
from bench.recorder import Recorder
from local.platform import DEMO_VERIFICATION_SECRET
from local.seed import DEMO_CHANNEL, DEMO_CREDENTIAL, DEMO_INTEGRATION, DEMO_MERCHANT
from local.stack import LocalStack, LocalStackOptions, free_port
from tools.soak import FOLLOW_UPS, ORDER

TIME_SCALE = 0.01
RETRY_BUDGET = 2
WAIT_SECONDS = 60


class Run:
    def __init__(self) -> None:
        # Locally every function shares one ordersync package, so one function's cached config
        # read would hide another's: read every time, as each cold container would.
        os.environ["CREDENTIAL_CACHE_SECONDS"] = "0"
        self.stack = LocalStack(
            LocalStackOptions(
                port=free_port(),
                platform_port=free_port(),
                time_scale=TIME_SCALE,
                parameters={"RetryBudget": str(RETRY_BUDGET)},
            )
        )
        self.stack.start()
        self.recorder = Recorder(self.stack, table_shapes(self.stack.template.sam))
        install(self.recorder)
        self.http = httpx.Client(
            base_url=self.stack.url,
            headers={"Authorization": f"Bearer {DEMO_CREDENTIAL}"},
            timeout=60,
        )
        self.dynamodb = self.stack.client("dynamodb")
        self.sqs = self.stack.client("sqs")
        self.tag = uuid.uuid4().hex[:6]
        self.lifecycle_order = f"IAM-{self.tag}-M"

    def stop(self) -> None:
        self.http.close()
        self.stack.stop()

    # ---------------------------------------------------------------- driving
    def send(self, order_id: str, operation: str) -> str:
        if operation == "create":
            customer = {**ORDER["customer"], "email": f"{order_id.lower()}@example.com"}
            path, body = "/v1/orders", {**ORDER, "orderId": order_id, "customer": customer}
        else:
            path, body = f"/v1/orders/{order_id}/{operation}", FOLLOW_UPS[operation](1)
        answer = self.http.post(path, json=body)
        if answer.status_code != 202:
            raise RuntimeError(f"{operation} {order_id}: {answer.status_code} {answer.text}")
        return str(answer.json()["operationId"])

    def fault(self, **fault: Any) -> None:
        httpx.post(
            f"{self.stack.platform_url}/_platform/faults", json={"faults": [fault]}
        ).raise_for_status()

    def item(self, operation_id: str) -> dict[str, Any]:
        return self.dynamodb.get_item(  # type: ignore[no-any-return]
            TableName=self.stack.resources["OperationsTable"],
            Key={"operationId": {"S": operation_id}},
        ).get("Item", {})

    def wait(self, what: str, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            if time.monotonic() > deadline:
                errors = "\n".join(map(str, self.recorder.counts.errors[-3:]))
                raise RuntimeError(f"gave up waiting: {what}\n{errors}")
            time.sleep(0.05)

    def until(self, operation_id: str, status: str) -> str:
        def reached() -> bool:
            return self.item(operation_id).get("status", {}).get("S") == status

        self.wait(f"{operation_id} {status}", reached)
        return operation_id

    def idle(self) -> bool:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.resources["OperationsQueue"],
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return self.recorder.active == 0 and not any(int(v) for v in attributes.values())

    # ---------------------------------------------------------------- scenarios
    def lifecycle(self) -> None:
        """Create, then invoice, ship and refund; its first callback is refused once."""
        order = self.lifecycle_order
        self.fault(kind="status", status=500, path="/callbacks", orderId=order)
        created = self.until(self.send(order, "create"), "synced")
        for operation in ("invoice", "shipment", "refund"):
            self.until(self.send(order, operation), "synced")
        answer = self.http.get(f"/v1/operations/{created}")
        if answer.status_code != 200:
            raise RuntimeError(f"GET /v1/operations/{created}: {answer.status_code}")

    def cancellation(self) -> None:
        order = f"IAM-{self.tag}-C"
        self.until(self.send(order, "create"), "synced")
        self.until(self.send(order, "cancel"), "synced")

    def confirmed_later(self) -> None:
        """The platform accepts for later (202), then confirms, signed, once ordersync waits."""
        self._answer_later("A", {"status": "confirmed", "platformOrderId": "PO-1"}, "synced")

    def rejected_later(self) -> None:
        """The platform accepts a creation for later, then rejects it: the order is forgotten."""
        self._answer_later("X", {"status": "rejected", "reason": "no such customer"}, "failed")

    def _answer_later(self, suffix: str, answer_body: dict[str, Any], settles: str) -> None:
        from ordersync.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

        order = f"IAM-{self.tag}-{suffix}"
        self.fault(kind="accept_async", confirm="never", orderId=order, path="/orders")
        operation_id = self.until(self.send(order, "create"), "pending_verification")
        body = json.dumps(answer_body).encode()
        stamp = str(int(time.time()))
        answer = httpx.post(
            f"{self.stack.url}/v1/callbacks/{operation_id}",
            content=body,
            headers={
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(DEMO_VERIFICATION_SECRET, stamp, body),
            },
        )
        if answer.status_code != 200:
            raise RuntimeError(f"confirmation refused: {answer.status_code} {answer.text}")
        self.until(operation_id, settles)

    def budget_spent(self) -> None:
        order = f"IAM-{self.tag}-R"
        self.fault(kind="status", status=500, path="/orders", orderId=order, times=100)
        self.until(self.send(order, "create"), "skipped")

    def repeats(self, order: str) -> None:
        """The same create again, then another body for it, before and after its idempotency
        record expired (the expiry is played by deleting the records)."""
        self.send(order, "create")
        for expired in (False, True):
            if expired:
                table = self.stack.resources["IdempotencyTable"]
                for item in self.dynamodb.scan(TableName=table)["Items"]:
                    self.dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
            body = {**ORDER, "orderId": order, "currency": "USD"}
            answer = self.http.post("/v1/orders", json=body)
            if answer.status_code != 409:
                raise RuntimeError(f"a conflicting repeat: {answer.status_code} {answer.text}")

    def sweep(self) -> None:
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
                    "operation_id": f"iam-{self.tag}-{kind}",
                    "operation": "create",
                    "merchant_id": DEMO_MERCHANT,
                    "integration_id": DEMO_INTEGRATION,
                    "channel_id": DEMO_CHANNEL,
                    "order_id": f"IAM-{self.tag}-{kind}",
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
                self.item(operation_id).get("watchUntil", {}).get("S") != iso(past)
                for operation_id in overdue.values()
            )

        def swept() -> bool:
            self.wait("an empty queue before the sweep", self.idle)
            self.stack.functions.invoke("SweeperFunction", {"source": "aws.scheduler"})
            return claimed()

        self.wait("a sweep that claims every overdue operation", swept)

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        self.recorder.reset()
        with ThreadPoolExecutor(4) as pool:
            scenarios = (
                self.lifecycle,
                self.cancellation,
                self.confirmed_later,
                self.rejected_later,
                self.budget_spent,
            )
            for future in [pool.submit(scenario) for scenario in scenarios]:
                future.result()
        self.repeats(self.lifecycle_order)
        self.sweep()
        self.wait("the stack to go idle", self.idle)
        counts = self.recorder.reset()
        return {
            "seconds": round(time.monotonic() - started, 1),
            "calls": [
                {
                    "function": function,
                    "service": service,
                    "operation": operation,
                    "action": action,
                    "resource": resource,
                    "count": count,
                }
                for (function, service, operation, action, resource), count in sorted(
                    counts.calls.items()
                )
            ],
            "invocations": dict(sorted(counts.invocations.items())),
            "errors": [list(error[:3]) for error in counts.errors],
        }


def record() -> dict[str, Any]:
    run = Run()
    try:
        return run.run()
    finally:
        run.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    try:
        text = json.dumps(Run().run(), indent=2) + "\n"
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    if args.output:
        args.output.write_text(text)
    else:
        # The recorder took sys.stdout over for the handlers' logs.
        sys.__stdout__.write(text)  # type: ignore[union-attr]
        sys.__stdout__.flush()  # type: ignore[union-attr]
    # Done: winding the stack's threads down (pollers, moto's executions) only takes seconds,
    # and after a failure can take a minute.
    os._exit(0)


if __name__ == "__main__":
    main()
