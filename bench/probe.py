"""One cold start, in a fresh interpreter: `python -I bench/probe.py SPEC_JSON`.

SPEC: {"denied": [installed top-level modules that are not deployed], "function_dir": path or
null, "layer": path, "clients": [aws.py factory names]}. With a function_dir, it imports that
function's handler module as Lambda does and creates its clients through ordersync.aws; without
one (the floor) it imports only boto3 and creates the same clients; with "libraries" too (marker
names of `bench/required_stack.py`), it then sets those libraries up as our handlers do, with no
code of ours. Installed modules that are not deployed are refused, as they are absent on Lambda.
Prints {"ms": CPU milliseconds, "wall_ms": …, "modules": [what it imported, in that order]}.

With "event" (and "handler", the template's `app.lambda_handler`) in SPEC, the handler then
answers that event as a first invocation, and "first_ms" (CPU) and "first_wall_ms" are added:
what a cold start costs up to its first answer (`bench.first_request`).
"""

import importlib.abc
import importlib.util
import json
import os
import sys
import time
from typing import Any

SPEC: dict[str, Any] = json.loads(sys.argv[1])
DENIED = frozenset(SPEC["denied"])


class NotDeployed(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] in DENIED:
            raise ModuleNotFoundError(f"No module named {name!r} (not deployed)", name=name)
        return None


sys.meta_path.insert(0, NotDeployed())
function_dir = SPEC.get("function_dir")
sys.path[:0] = [function_dir, SPEC["layer"]] if function_dir else [SPEC["layer"]]
stack_spec = importlib.util.spec_from_file_location(
    "required_stack", os.path.join(os.path.dirname(__file__), "required_stack.py")
)
assert stack_spec is not None
assert stack_spec.loader is not None
required_stack = importlib.util.module_from_spec(stack_spec)
stack_spec.loader.exec_module(required_stack)

started, started_cpu = time.perf_counter(), time.process_time()
if function_dir:
    module_spec = importlib.util.spec_from_file_location("app", f"{function_dir}/app.py")
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["app"] = module
    module_spec.loader.exec_module(module)
    from ordersync.core import aws

    for factory in SPEC["clients"]:
        getattr(aws, factory)()
else:
    import boto3

    for service in SPEC["clients"]:
        boto3.client(service)
    required_stack.load(SPEC.get("libraries", []))
wall_ms = (time.perf_counter() - started) * 1000
cpu_ms = (time.process_time() - started_cpu) * 1000
found: dict[str, Any] = {"ms": round(cpu_ms, 2), "wall_ms": round(wall_ms, 2)}
if "event" in SPEC:

    class Context:
        """The attributes of Lambda's context that powertools and the handlers read."""

        function_name = function_version = "probe"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:probe"
        aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
        log_group_name = log_stream_name = "probe"

        def get_remaining_time_in_millis(self) -> int:
            return 60_000

    handler = getattr(sys.modules["app"], SPEC["handler"].rpartition(".")[2])
    started, started_cpu = time.perf_counter(), time.process_time()
    answer = handler(SPEC["event"], Context())
    found["first_wall_ms"] = round((time.perf_counter() - started) * 1000, 2)
    found["first_ms"] = round((time.process_time() - started_cpu) * 1000, 2)
    found["answer"] = answer
found["modules"] = list(sys.modules)  # in the order they were imported
print(json.dumps(found, default=str))
