"""`python -m local` as a child process on free ports: for the end-to-end tests and the soak,
which must drive the stack over HTTP exactly as a channel would."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from local.ports import free_port
from local.template import ROOT

STARTUP_SECONDS = 90


@dataclass
class StackProcess:
    process: subprocess.Popen[str]
    url: str
    platform_url: str
    log: Path | None = None

    def output(self) -> str:
        """What the stack printed so far (its log file)."""
        return self.log.read_text() if self.log else ""

    def stop(self) -> int | None:
        """Ctrl-C, as a person would; the exit code, or None if it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return None
        return self.process.returncode


def launch(*options: str, output: IO[Any] | None = None) -> StackProcess:
    """Start the stack with `options` (e.g. "--time-scale", "0.05") without waiting for it: it
    takes several seconds to come up, which a caller can spend on something else. Its output
    goes to `output`, by default `.local/stack-<port>.log`: a pipe nobody reads would fill up
    and stop the stack at its next log line."""
    port, platform_port = free_port(), free_port()
    if output is None:
        (ROOT / ".local").mkdir(exist_ok=True)
        output = (ROOT / ".local" / f"stack-{port}.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local",
            "--port",
            str(port),
            "--platform-port",
            str(platform_port),
            *options,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = Path(output.name) if isinstance(getattr(output, "name", None), str) else None
    return StackProcess(
        process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{platform_port}", log
    )


def wait_until_healthy(started: StackProcess) -> StackProcess:
    process = started.process
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the local stack exited:\n{started.output()[-4000:]}")
        try:
            # Generous: the first request starts the API function's environment (its imports).
            if httpx.get(f"{started.url}/health", timeout=30).status_code == 200:
                return started
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the local stack did not become healthy in time")
        time.sleep(0.3)


def start(*options: str, output: IO[Any] | None = None) -> StackProcess:
    """Start the stack with `options` (e.g. "--time-scale", "0.05") and wait until it is healthy."""
    return wait_until_healthy(launch(*options, output=output))
