"""The project's Lambda handlers, loaded from the template's CodeUri/Handler and run in process."""

import contextlib
import importlib.util
import json
import logging
import sys
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from local.template import FunctionSpec

Handler = Callable[[Any, Any], Any]
log = logging.getLogger("local.lambdas")


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers and powertools read."""

    function_name: str
    timeout_seconds: int
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


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
        """`serial`: functions that run one event at a time across all their environments. An
        HTTP API function's resolver lives in the shared package (ordersync.api.app), not in
        the handler's module, and holds the request it is answering (current_event, context):
        on Lambda every environment is a process of its own, here they share one, so two
        concurrent requests would read each other's (found by schemathesis: a KeyError 500)."""
        self._specs = specs
        self._serial = {logical_id: threading.Lock() for logical_id in serial}
        self._idle: dict[str, list[Handler]] = {logical_id: [] for logical_id in specs}
        self._lock = threading.Lock()
        self.physical_names: dict[str, str] = {}  # physical name -> logical id
        self.invocations: dict[str, int] = dict.fromkeys(specs, 0)
        self.environments: dict[str, int] = dict.fromkeys(specs, 0)

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
            handler = _load(self._specs[logical_id], number)
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
        context = LambdaContext(function_name=logical_id, timeout_seconds=spec.timeout)
        try:
            with (
                self._serial.get(logical_id, contextlib.nullcontext()),
                self.environment(logical_id) as handler,
            ):
                result = handler(json.loads(json.dumps(event)), context)
        except Exception as error:
            _log_failure(logical_id, error)
            raise InvocationError(
                type(error).__name__, str(error), traceback.format_exception(error)[-5:]
            ) from error
        return json.loads(json.dumps(result, default=str))


def _log_failure(logical_id: str, error: Exception) -> None:
    """What Lambda writes to the function's log when a handler raises. An error the workflow
    retries by name is an expected answer (the platform was down): one line. Anything else is
    a bug until shown otherwise: the whole traceback, so no 500 goes by without a trace."""
    from ordersync.catalog.errors import TransientDeliveryError

    if isinstance(error, TransientDeliveryError):
        log.info("%s raised %s (the workflow retries it)", logical_id, type(error).__name__)
    else:
        log.error("%s failed: %s: %s", logical_id, type(error).__name__, error, exc_info=error)


def _load(spec: FunctionSpec, environment: int = 0) -> Handler:
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
