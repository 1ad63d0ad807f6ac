"""The local stack, as `python -m bench.calls` drives it: started in this process with a small
retry budget and its handlers instrumented (`bench.instrument`), driven over HTTP; `until` and
`wait` wait for an operation's status or any condition, `idle` says nothing is left to do.
"""

import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from bench.recorded_stack import start_recorded
from local.__main__ import exactly_runs
from tools.soak import FOLLOW_UPS, ORDER

TIME_SCALE = 0.01
RETRY_BUDGET = 2
WAIT_SECONDS = 60


class Driver:
    def __init__(self) -> None:
        # Locally every function shares one ordersync package, so one function's cached config
        # read would hide another's: read every time, as each cold container would.
        os.environ["CREDENTIAL_CACHE_SECONDS"] = "0"
        # Exports of more than one row run as jobs, so the export function is exercised too.
        parameters = {**exactly_runs(RETRY_BUDGET), "ExportDirectRows": "1"}
        self.stack, self.recorder, self.http = start_recorded(
            time_scale=TIME_SCALE, parameters=parameters
        )
        self.dynamodb = self.stack.client("dynamodb")
        self.sqs = self.stack.client("sqs")
        self.tag = uuid.uuid4().hex[:6]  # in every order id: runs do not meet

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
