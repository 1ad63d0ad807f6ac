"""The local stack runs each function the way Lambda does: one event per environment at a time."""

import threading
from pathlib import Path

import pytest

from local.lambdas import InvocationError, LocalFunctions
from local.template import FunctionSpec

# Module state, like a powertools BatchProcessor: safe in Lambda, where an environment runs one
# event at a time; wrong if two events share the module.
HANDLER = """
import time
current = None

def handler(event, context):
    global current
    current = event["n"]
    time.sleep(0.2)
    return current
"""


def test_concurrent_events_get_their_own_environment(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    functions = LocalFunctions({"Fn": FunctionSpec("Fn", tmp_path, "app.handler", 3)})
    results: dict[int, int] = {}

    def call(n: int) -> None:
        results[n] = functions.invoke("Fn", {"n": n})

    threads = [threading.Thread(target=call, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == {0: 0, 1: 1, 2: 2, 3: 3}
    assert functions.environments["Fn"] == 4
    assert functions.invocations["Fn"] == 4


def test_an_idle_environment_is_reused(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER.replace("time.sleep(0.2)", "pass"))
    functions = LocalFunctions({"Fn": FunctionSpec("Fn", tmp_path, "app.handler", 3)})

    assert [functions.invoke("Fn", {"n": n}) for n in range(3)] == [0, 1, 2]
    assert functions.environments["Fn"] == 1


FAILING = """
def handler(event, context):
    return {"total": 1 / event["items"]}
"""


def test_a_failed_invocation_is_logged_with_its_traceback(tmp_path: Path, caplog) -> None:
    (tmp_path / "app.py").write_text(FAILING)
    functions = LocalFunctions({"Fn": FunctionSpec("Fn", tmp_path, "app.handler", 3)})

    with pytest.raises(InvocationError) as raised:
        functions.invoke("Fn", {"items": 0})

    assert raised.value.document["errorType"] == "ZeroDivisionError"
    (record,) = [r for r in caplog.records if r.name == "local.lambdas"]
    assert record.levelname == "ERROR"
    assert "Fn failed: ZeroDivisionError" in record.getMessage()
    assert record.exc_info is not None
    assert "1 / event" in caplog.text, "the traceback shows the line that failed"


# State in a module every environment of every function imports (as powertools keeps the
# request on BaseRouter.current_event, a class attribute shared by every resolver): only
# functions that run one event at a time, all of them together, keep one request's state from
# another's.


def test_serial_functions_keep_state_shared_across_functions_to_one_request(
    tmp_path: Path,
) -> None:
    (tmp_path / "shared_state.py").write_text(HANDLER)
    (tmp_path / "app.py").write_text("from shared_state import handler\n")
    specs = {name: FunctionSpec(name, tmp_path, "app.handler", 3) for name in ("Api", "Console")}
    functions = LocalFunctions(specs, serial=frozenset(specs))
    results: dict[int, int] = {}

    def call(n: int) -> None:
        results[n] = functions.invoke(("Api", "Console")[n % 2], {"n": n})

    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        threads = [threading.Thread(target=call, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("shared_state", None)
    assert results == {n: n for n in range(6)}
