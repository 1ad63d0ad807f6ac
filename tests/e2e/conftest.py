"""The local stack as a separate process (`python -m local`), driven over HTTP only."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from local.seed import DEMO_CREDENTIAL
from local.stack import free_port
from local.template import ROOT

STARTUP_SECONDS = 90


@dataclass
class LocalStackProcess:
    url: str
    platform_url: str
    process: subprocess.Popen[str]

    @property
    def channel(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {DEMO_CREDENTIAL}"}, timeout=30
        )

    def stack(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_local/stack", timeout=10).json()

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


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStackProcess]:
    port, platform_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local",
            "--port",
            str(port),
            "--platform-port",
            str(platform_port),
            "--time-scale",
            "0.05",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"the local stack exited:\n{process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the local stack did not become healthy in time")
        time.sleep(0.3)
    running = LocalStackProcess(
        url=url, platform_url=f"http://127.0.0.1:{platform_port}", process=process
    )
    yield running
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
