"""Isolated, the local stack runs each execution environment as Lambda does: a process of its
own, with only its function's variables and its own modules, stopped past its timeout."""

import os
import threading
from pathlib import Path

import pytest

from local.lambdas import InvocationError, LocalFunctions
from local.template import FunctionSpec

HANDLER = """
import os, time
import json
seen = []

def handler(event, context):
    seen.append(event["n"])
    time.sleep(event.get("sleep", 0))
    if event.get("fail"):
        raise ValueError("bad order")
    return {"pid": os.getpid(), "seen": seen, "mine": os.environ.get("MINE"),
            "theirs": os.environ.get("THEIRS"), "left_ms": context.get_remaining_time_in_millis()}
"""


@pytest.fixture
def functions(tmp_path: Path):
    (tmp_path / "app.py").write_text(HANDLER)
    specs = {
        "Fn": FunctionSpec("Fn", tmp_path, "app.handler", 2),
        "Other": FunctionSpec("Other", tmp_path, "app.handler", 2),
    }
    functions = LocalFunctions(specs)
    base = {k: v for k, v in os.environ.items() if k not in ("MINE", "THEIRS")}
    functions.isolate({"Fn": {**base, "MINE": "fn"}, "Other": {**base, "THEIRS": "other"}})
    yield functions
    functions.stop()


def test_each_function_sees_only_its_variables_in_a_process_of_its_own(functions) -> None:
    mine = functions.invoke("Fn", {"n": 1})
    other = functions.invoke("Other", {"n": 2})

    assert (mine["mine"], mine["theirs"]) == ("fn", None)
    assert (other["mine"], other["theirs"]) == (None, "other")
    assert mine["pid"] != os.getpid()
    assert mine["pid"] != other["pid"]
    assert other["seen"] == [2], "the other function's module state is its own"
    assert 0 < mine["left_ms"] <= 2000


def test_a_warm_environment_keeps_its_state_and_concurrent_events_get_another(functions) -> None:
    first = functions.invoke("Fn", {"n": 1})
    again = functions.invoke("Fn", {"n": 2})
    assert again["pid"] == first["pid"]
    assert again["seen"] == [1, 2]

    answers: list[dict] = []
    calls = [
        threading.Thread(
            target=lambda n=n: answers.append(functions.invoke("Fn", {"n": n, "sleep": 0.5}))
        )
        for n in (3, 4)
    ]
    for call in calls:
        call.start()
    for call in calls:
        call.join()
    assert len({answer["pid"] for answer in answers}) == 2
    assert functions.environments["Fn"] == 2


def test_a_raised_error_is_reported_by_name_and_the_environment_lives_on(functions) -> None:
    with pytest.raises(InvocationError) as raised:
        functions.invoke("Fn", {"n": 1, "fail": True})

    assert raised.value.document["errorType"] == "ValueError"
    assert raised.value.document["errorMessage"] == "bad order"
    assert functions.invoke("Fn", {"n": 2})["seen"] == [1, 2]


def test_past_its_timeout_an_environment_is_stopped_and_reported_as_lambda_does(functions) -> None:
    warm = functions.invoke("Fn", {"n": 1})

    with pytest.raises(InvocationError) as raised:
        functions.invoke("Fn", {"n": 2, "sleep": 5})

    assert raised.value.document["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in raised.value.document["errorMessage"]
    with pytest.raises(ProcessLookupError):
        os.kill(warm["pid"], 0)
    fresh = functions.invoke("Fn", {"n": 3})
    assert fresh["pid"] != warm["pid"], "a new environment"
    assert fresh["seen"] == [3]
