"""The local stack, as the pipeline benchmark (`bench.pipeline`) drives and reads it: started in
this process with its handlers instrumented (`bench.instrument`), driven over HTTP as a channel
drives it; `settle` waits until operations are settled and nothing is running, `measure` runs a
scenario and reads what it did (`bench.profiles`).
"""

import time
from collections import Counter
from typing import Any

import httpx

from bench.profiles import profile
from bench.recorded_stack import start_recorded
from bench.transitions import transitions
from tools.soak import FOLLOW_UPS, ORDER

TIME_SCALE = 0.05
SETTLE_SECONDS = 120
SYNCED = "synced"


class Bench:
    def __init__(self, time_scale: float = TIME_SCALE) -> None:
        # As deployed (LogLevel's default): the functions' log lines are counted.
        self.stack, self.recorder, self.http = start_recorded(
            time_scale=time_scale, log_level="INFO"
        )
        self.dynamodb = self.stack.client("dynamodb")
        self.sqs = self.stack.client("sqs")
        self.stepfunctions = self.stack.client("stepfunctions")
        self.machine = self.stack.resources["OrderOperationStateMachine"]
        self.seen_executions: set[str] = set()
        self.api_requests = 0
        self.sequence = 0

    def stop(self) -> None:
        self.http.close()
        self.stack.stop()

    # ---------------------------------------------------------------- driving
    def order_id(self) -> str:
        self.sequence += 1
        return f"BENCH-{self.sequence}"

    def send(self, order_id: str, operation: str, body: dict[str, Any]) -> str:
        path = "/v1/orders" if operation == "create" else f"/v1/orders/{order_id}/{operation}"
        answer = self.http.post(path, json=body)
        self.api_requests += 1
        if answer.status_code != 202:
            errors = "\n".join(map(str, self.recorder.counts.errors[-3:]))
            raise RuntimeError(
                f"{operation} {order_id}: {answer.status_code} {answer.text}\n{errors}"
            )
        return str(answer.json()["operationId"])

    def create(self, order_id: str) -> str:
        customer = {**ORDER["customer"], "email": f"{order_id.lower()}@example.com"}
        return self.send(order_id, "create", {**ORDER, "orderId": order_id, "customer": customer})

    def follow_up(self, order_id: str, operation: str) -> str:
        return self.send(order_id, operation, FOLLOW_UPS[operation](self.sequence))

    def fault(self, fault: dict[str, Any]) -> None:
        httpx.post(f"{self.stack.platform_url}/_platform/faults", json={"faults": [fault]})

    def status(self, operation_id: str) -> str:
        item = self.dynamodb.get_item(
            TableName=self.stack.resources["OperationsTable"],
            Key={"operationId": {"S": operation_id}},
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
        ).get("Item")
        return str(item["status"]["S"]) if item else "missing"

    def queued(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.resources["OperationsQueue"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def settle(self, operation_ids: list[str], wanted: str = SYNCED) -> None:
        """Wait until every operation reads `wanted` and the stack is idle (twice in a row)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        quiet = 0
        while quiet < 2:
            if time.monotonic() > deadline:
                statuses = Counter(self.status(op) for op in operation_ids)
                raise RuntimeError(f"operations did not settle: {dict(statuses)}")
            idle = self.recorder.active == 0 and self.queued() == 0
            done = idle and all(self.status(op) == wanted for op in operation_ids)
            quiet = quiet + 1 if done else 0
            time.sleep(0.1)

    def executions(self) -> list[dict[str, Any]]:
        """The workflow runs since the last call: transitions, retries, duration."""
        found = []
        pages = self.stepfunctions.get_paginator("list_executions")
        for page in pages.paginate(stateMachineArn=self.machine):
            for execution in page["executions"]:
                arn = execution["executionArn"]
                if arn in self.seen_executions:
                    continue
                self.seen_executions.add(arn)
                history = self.stepfunctions.get_execution_history(
                    executionArn=arn, maxResults=1000
                )["events"]
                kinds = [event["type"] for event in history]
                stop = execution.get("stopDate") or execution["startDate"]
                found.append(
                    {
                        "status": execution["status"],
                        "transitions": transitions(kinds),
                        "states": [
                            event["stateEnteredEventDetails"]["name"]
                            for event in history
                            if "stateEnteredEventDetails" in event
                        ],
                        "duration_ms": (stop - execution["startDate"]).total_seconds() * 1000,
                    }
                )
        return found

    def measure(self, name: str, scenario: Any, operations: Any = 1) -> dict[str, Any]:
        """Run `scenario` and read what it did, per operation (`operations`: how many it
        ran, or a callable that says so afterwards)."""
        self.recorder.reset()
        self.executions()
        self.api_requests = 0
        scenario()
        counts = self.recorder.reset()
        ran = operations() if callable(operations) else operations
        return profile(name, counts, self.executions(), self.api_requests, max(1, ran))
