"""A Lambda execution environment as a process of its own, as Lambda runs one: it sees only its
function's environment variables, imports its own `ordersync` (module state such as a resolver's
current request, logger keys and caches is never shared with another environment), runs one
event at a time, and is stopped when it runs past the function's timeout. Running the handlers
outside the stack's process also lets them use the second core while moto uses the first.

Each environment is forked by the fork server (`local.forkserver`), which has imported the
common libraries once. The stack (`Worker`) and the environment speak over one Unix socket,
one JSON document per message; the handler's own output (its logs) goes to the stack's output.
"""

import contextlib
import json
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from local.template import FunctionSpec

if TYPE_CHECKING:
    from local.forkserver import ForkServer

# How long an environment may take to import its handler (Lambda's init phase allows 10 s;
# a shared machine needs more).
INIT_SECONDS = 60
READY = b'{"ready": true}'


class WorkerTimedOut(Exception):
    """The handler ran past its function's timeout; the environment was stopped."""


class WorkerDied(Exception):
    """The environment's process ended without answering (Runtime.ExitError on Lambda)."""


class Worker:
    def __init__(
        self,
        spec: FunctionSpec,
        variables: dict[str, str],
        forks: "ForkServer",
        timeout_factor: float = 1.0,
    ) -> None:
        self.spec = spec
        # Lambda gives each environment its own CPU; on a shared 2-core machine the same work
        # takes longer, so the stack may allow a multiple of the timeout before it stops one.
        self.allowed_seconds = spec.timeout * timeout_factor
        environment = {
            **variables,
            "LOCAL_FUNCTION": spec.logical_id,
            "LOCAL_CODE_DIR": str(spec.code_dir),
            "LOCAL_HANDLER": spec.handler,
            "LOCAL_TIMEOUT": str(spec.timeout),
        }
        self.pid, self._connection = forks.spawn(environment)
        self._ready = False

    def invoke(self, event: Any, request_id: str) -> dict[str, Any]:
        """{"result": ...} or {"error": Lambda's error document}."""
        if not self._ready:
            self._await(INIT_SECONDS + self.allowed_seconds)
            self._ready = True
        self._connection.send_bytes(json.dumps({"event": event, "requestId": request_id}).encode())
        reply: dict[str, Any] = self._await(self.allowed_seconds)
        return reply

    def _await(self, seconds: float) -> dict[str, Any]:
        if not self._connection.poll(seconds):
            self.stop()
            raise WorkerTimedOut(f"Task timed out after {self.spec.timeout:.2f} seconds")
        try:
            answer: dict[str, Any] = json.loads(self._connection.recv_bytes())
        except EOFError as ended:
            self.stop()
            raise WorkerDied(f"environment process {self.pid} ended") from ended
        return answer

    def stop(self) -> None:
        """Kill the environment and wait until it is gone (the fork server's children are
        reaped by the kernel, a moment after they die)."""
        self._connection.close()
        deadline = time.monotonic() + 5
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
            while time.monotonic() < deadline:
                os.kill(self.pid, 0)
                time.sleep(0.005)


def serve(requests: Connection, replies: Connection) -> None:
    """The child: load the handler once (the cold start), then run one event at a time."""
    from local.lambdas import LambdaContext, error_document, expected_failure, load_handler

    spec = FunctionSpec(
        os.environ["LOCAL_FUNCTION"],
        Path(os.environ["LOCAL_CODE_DIR"]),
        os.environ["LOCAL_HANDLER"],
        int(os.environ["LOCAL_TIMEOUT"]),
    )
    # Ctrl-C reaches the whole process group; the stack stops its environments itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler = load_handler(spec)
    jobs, reply = 0, {}
    while True:
        try:
            replies.send_bytes(json.dumps(reply, default=str).encode() if jobs else READY)
            job = json.loads(requests.recv_bytes())
        except (EOFError, BrokenPipeError):
            return  # the stack stopped
        context = LambdaContext(function_name=spec.logical_id, timeout_seconds=spec.timeout)
        context.aws_request_id = job["requestId"]
        context.deadline = time.monotonic() + spec.timeout
        try:
            reply = {"result": handler(job["event"], context)}
        except Exception as error:
            reply = {"error": error_document(error), "expected": expected_failure(error)}
        jobs += 1
