"""The local stack as a separate process (`python -m local`), driven over HTTP only: one for the
whole run. Tests keep apart by their own orders (tests.factories.new_order) and faults scoped to
them, and poll the operations they made."""

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest

from local.process import StackProcess, launch, wait_until_healthy
from local.seed import DEMO_CREDENTIAL

# Waits at 5% of real time; a retry budget of two runs, so that an operation that keeps failing
# reaches the dead-letter queue within a test (test_redrive), while one that fails a run and then
# succeeds (test_order_create's three 500s) is still synced.
# Exports of more than 3 rows run as jobs, so test_exports sees both paths with a few orders.
OPTIONS = ("--time-scale", "0.05", "--retry-budget", "2", "--export-direct-rows", "3")
_launched: StackProcess | None = None


@dataclass
class LocalStackProcess:
    url: str
    platform_url: str
    process: subprocess.Popen[str]

    @property
    def channel(self) -> httpx.Client:
        """The demo shop's client (credential `DEMO_CREDENTIAL`)."""
        return self.client(DEMO_CREDENTIAL)

    def client(self, credential: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {credential}"}, timeout=30
        )

    def stack(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_local/stack", timeout=10).json()

    def sqs(self) -> Any:
        """A client of the stack's embedded AWS (moto), for what the HTTP API does not show."""
        return boto3.client(
            "sqs",
            endpoint_url=self.stack()["awsEndpoint"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def queue_url(self, logical_id: str) -> str:
        return str(self.stack()["resources"][logical_id])

    def messages_for(self, operation_id: str, logical_id: str) -> list[dict[str, Any]]:
        """The visible messages of queue `logical_id` that carry `operation_id` (left visible)."""
        sqs, url = self.sqs(), self.queue_url(logical_id)
        found: dict[str, dict[str, Any]] = {}
        for _ in range(5):  # moto hands out up to 10 a receive, not always all of them
            for message in sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0
            ).get("Messages", []):
                if json.loads(message["Body"]).get("operationId") == operation_id:
                    found[message["MessageId"]] = message
        return list(found.values())

    def wait_until_queue_empty(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            queue = self.stack()["queues"]["OperationsQueue"]
            if queue["visible"] + queue["inFlight"] == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the operations queue did not empty: {queue}")
            time.sleep(0.2)

    def platform_stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.platform_url}/_platform/stats", timeout=10).json()

    def set_faults(self, *faults: dict[str, Any]) -> None:
        httpx.post(
            f"{self.platform_url}/_platform/faults", json={"faults": list(faults)}, timeout=10
        ).raise_for_status()

    def callbacks(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.platform_url}/_platform/callbacks", timeout=10).json()["callbacks"]

    def wait_for_step(self, operation_id: str, step: str, seconds: float = 30) -> dict[str, Any]:
        """The operation once its history holds a record of `step` (callbacks come last)."""
        deadline = time.monotonic() + seconds
        while True:
            operation = self.channel.get(f"/v1/operations/{operation_id}").json()
            if any(record["step"] == step for record in operation.get("history", [])):
                return operation
            if time.monotonic() > deadline:
                raise AssertionError(f"{operation_id} has no {step} record: {operation}")
            time.sleep(0.2)

    def wait_for(
        self,
        operation_id: str,
        statuses: set[str],
        seconds: float = 60,
        client: httpx.Client | None = None,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            operation = (client or self.channel).get(f"/v1/operations/{operation_id}").json()
            if operation.get("status") in statuses:
                return operation
            if time.monotonic() > deadline:
                raise AssertionError(f"{operation_id} never reached {statuses}: {operation}")
            time.sleep(0.2)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Launch the run's stack as soon as the tests are known, if any of them uses it: it comes
    up (10-15 s) while the unit and integration tests run (testpaths puts tests/e2e last)."""
    global _launched
    if any("local_stack" in getattr(item, "fixturenames", ()) for item in session.items):
        _launched = launch(*OPTIONS)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop a stack that was launched but never used (the run stopped before tests/e2e)."""
    global _launched
    if _launched is not None:
        _launched.stop()
        _launched = None


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStackProcess]:
    global _launched
    started, _launched = _launched or launch(*OPTIONS), None
    wait_until_healthy(started)
    yield LocalStackProcess(
        url=started.url, platform_url=started.platform_url, process=started.process
    )
    started.stop()
