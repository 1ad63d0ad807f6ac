"""The project's Lambda handlers, loaded from the template's CodeUri/Handler and run in process."""

import contextlib
import importlib.util
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from local.template import FunctionSpec

Handler = Callable[[Any, Any], Any]
log = logging.getLogger("local.lambdas")
# Execution environments (processes) per function when isolated: as many as the pollers run.
ENVIRONMENTS_PER_FUNCTION = 8


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers and powertools read."""

    function_name: str
    timeout_seconds: int
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    # time.monotonic() at which the function times out, where the runner enforces it.
    deadline: float | None = None

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        if self.deadline is None:
            return self.timeout_seconds * 1000
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class InvocationError(Exception):
    """A handler raised; carries the error document Lambda would return."""

    def __init__(self, error_type: str, message: str, stack: list[str]) -> None:
        super().__init__(f"{error_type}: {message}")
        self.document = {"errorType": error_type, "errorMessage": message, "stackTrace": stack}


class LocalFunctions:
    """Each function keeps a pool of execution environments, as Lambda does: an environment runs
    one event at a time, and a concurrent event gets another one (its own cold start and its own
    module globals, such as a batch processor). Sharing one module across threads would let
    concurrent batches overwrite each other's results, which real Lambda never does."""

    def __init__(
        self, specs: dict[str, FunctionSpec], serial: frozenset[str] = frozenset()
    ) -> None:
        """`serial`: functions that run one event at a time, all of them together. Powertools'
        resolvers keep the request they are answering on a class attribute
        (BaseRouter.current_event, lambda_context) shared by every resolver in the process: on
        Lambda every environment is a process of its own, here they share one, so two concurrent
        requests, even to two different functions, would read each other's (found by
        schemathesis: a KeyError 500; and by bench.calls: a console form checked against the
        body of another function's request, a 403)."""
        self._specs = specs
        one_request_at_a_time = threading.Lock()
        self._serial = dict.fromkeys(serial, one_request_at_a_time)
        self._isolated: dict[str, dict[str, str]] | None = None
        self._forks: Any = None
        self._workers: set[Any] = set()
        self._timeout_factor = 1.0
        self._busiest = ENVIRONMENTS_PER_FUNCTION
        self._idle: dict[str, list[Any]] = {logical_id: [] for logical_id in specs}
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self.physical_names: dict[str, str] = {}  # physical name -> logical id
        self.invocations: dict[str, int] = dict.fromkeys(specs, 0)
        self.environments: dict[str, int] = dict.fromkeys(specs, 0)

    def isolate(self, environments: dict[str, dict[str, str]], timeout_factor: float = 1.0) -> None:
        """From now on each execution environment is a process of its own (`local.workers`)
        with exactly `environments[function]` as its variables, not a module copy here; one
        is stopped once it runs `timeout_factor` times its function's timeout. A fork server
        (`local.forkserver`) starts them."""
        from local.forkserver import ForkServer

        self._isolated = environments
        self._timeout_factor = timeout_factor
        self._forks = ForkServer()

    @contextmanager
    def environment(self, logical_id: str) -> Iterator[Handler]:
        """An idle environment of the function, or a new one; back to the pool afterwards."""
        with self._lock:
            idle = self._idle[logical_id]
            handler = idle.pop() if idle else None
            if handler is None:
                self.environments[logical_id] += 1
                number = self.environments[logical_id]
        if handler is None:
            handler = load_handler(self._specs[logical_id], number)
        try:
            yield handler
        finally:
            with self._lock:
                self._idle[logical_id].append(handler)

    def logical_id(self, name_or_arn: str) -> str | None:
        name = name_or_arn.split(":function:")[-1].split(":")[0]
        return self.physical_names.get(name) or (name if name in self._specs else None)

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run the handler like Lambda would: a JSON round trip in, a JSON round trip out."""
        spec = self._specs[logical_id]
        with self._lock:
            self.invocations[logical_id] += 1
        if self._isolated is not None:
            return self._invoke_isolated(logical_id, event)
        context = LambdaContext(function_name=logical_id, timeout_seconds=spec.timeout)
        try:
            with (
                self._serial.get(logical_id, contextlib.nullcontext()),
                self.environment(logical_id) as handler,
            ):
                result = handler(json.loads(json.dumps(event)), context)
        except Exception as error:
            _log_failure(logical_id, type(error).__name__, str(error), expected_failure(error))
            document = error_document(error)
            raise InvocationError(
                document["errorType"], document["errorMessage"], document["stackTrace"]
            ) from error
        return json.loads(json.dumps(result, default=str))

    def _invoke_isolated(self, logical_id: str, event: Any) -> Any:
        from local.workers import Worker, WorkerDied, WorkerTimedOut

        request_id = str(uuid.uuid4())
        with self._freed:
            # Lambda would start yet another environment; two cores cannot start them as fast
            # as a burst asks, so past a few per function an event waits for an idle one.
            while not self._idle[logical_id] and self.environments[logical_id] >= self._busiest:
                self._freed.wait()
            idle = self._idle[logical_id]
            worker: Worker | None = idle.pop() if idle else None
            if worker is None:
                self.environments[logical_id] += 1
        if worker is None:
            try:
                worker = Worker(
                    self._specs[logical_id],
                    self._isolated[logical_id],  # type: ignore[index]
                    self._forks,
                    self._timeout_factor,
                )
            except BaseException:
                self._retire(logical_id)
                raise
            with self._lock:
                self._workers.add(worker)
        try:
            reply = worker.invoke(event, request_id)
        except (WorkerTimedOut, WorkerDied) as gone:
            self._retire(logical_id, worker)
            raise_lambda_error(logical_id, request_id, gone)
        with self._freed:
            self._idle[logical_id].append(worker)
            self._freed.notify_all()
        if "error" in reply:
            document = reply["error"]
            _log_failure(
                logical_id,
                document["errorType"],
                document["errorMessage"],
                reply["expected"],
                "".join(document["stackTrace"]),
            )
            raise InvocationError(
                document["errorType"], document["errorMessage"], document["stackTrace"]
            )
        return reply["result"]

    def _retire(self, logical_id: str, worker: Any = None) -> None:
        """An environment that is gone (stopped past its timeout, died, or never started)."""
        with self._freed:
            self.environments[logical_id] -= 1
            self._workers.discard(worker)
            self._freed.notify_all()

    def stop(self) -> None:
        """End every environment's process (isolated functions only)."""
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()
        if self._forks is not None:
            self._forks.stop()


def raise_lambda_error(logical_id: str, request_id: str, error: BaseException | None) -> None:
    """Lambda's own words for an environment stopped past its timeout or one that died."""
    from local.workers import WorkerTimedOut

    if isinstance(error, WorkerTimedOut):
        error_type, message = "Sandbox.Timedout", f"RequestId: {request_id} Error: {error}"
    else:
        error_type = "Runtime.ExitError"
        message = f"RequestId: {request_id} Error: Runtime exited without answering: {error}"
    _log_failure(logical_id, error_type, message, expected=False)
    raise InvocationError(error_type, message, []) from error


def error_document(error: Exception) -> dict[str, Any]:
    """What Lambda answers for a handler that raised (its error type names the Retry/Catch)."""
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error)[-5:],
    }


def expected_failure(error: Exception) -> bool:
    """An error the workflow retries by name is an expected answer (the platform was down)."""
    from ordersync.catalog.errors import TransientDeliveryError

    return isinstance(error, TransientDeliveryError)


def _log_failure(
    logical_id: str, error_type: str, message: str, expected: bool, trace: str | None = None
) -> None:
    """What Lambda writes to the function's log when a handler raises. An expected failure:
    one line. Anything else is a bug until shown otherwise: the whole traceback, so no 500
    goes by without a trace."""
    if expected:
        log.info("%s raised %s (the workflow retries it)", logical_id, error_type)
    elif trace is not None:
        log.error("%s failed: %s: %s\n%s", logical_id, error_type, message, trace)
    else:
        log.error("%s failed: %s: %s", logical_id, error_type, message, exc_info=True)


def load_handler(spec: FunctionSpec, environment: int = 0) -> Handler:
    """A fresh copy of the handler's module (one per execution environment)."""
    module_name, _, attribute = spec.handler.rpartition(".")
    path = spec.code_dir / f"{module_name.replace('.', '/')}.py"
    unique = f"ordersync_local_{spec.logical_id}" + (f"_{environment}" if environment else "")
    module_spec = importlib.util.spec_from_file_location(unique, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[unique] = module
    module_spec.loader.exec_module(module)
    handler: Handler = getattr(module, attribute)
    return handler


# The name tests written before the isolated environments import (main has more of them than
# this branch); new code says load_handler.
_load = load_handler
