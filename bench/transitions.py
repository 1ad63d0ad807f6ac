"""Step Functions state transitions, counted from an execution's history.

Standard workflows bill one transition per state a run enters, and one more per retry of a
task (AWS: "a state transition each time a step of your workflow is executed, including
retries"). From the event history the local stack's executing Step Functions records, that is
the number of `…StateEntered` events plus, per task, the Lambda invocations beyond the first.
`walk` follows the ASL itself along the path an input takes when every task succeeds, to check
the measured happy path against the definition.
"""

from typing import Any

SCHEDULED = ("LambdaFunctionScheduled", "TaskScheduled")


def transitions(event_types: list[str]) -> int:
    entered = sum(kind.endswith("StateEntered") for kind in event_types)
    return entered + retries(event_types)


def retries(event_types: list[str]) -> int:
    scheduled = sum(kind in SCHEDULED for kind in event_types)
    tasks = sum(kind == "TaskStateEntered" for kind in event_types)
    return max(0, scheduled - tasks)


def _lookup(document: Any, path: str) -> Any:
    value = document
    for part in path.removeprefix("$").strip(".").split("."):
        if not part:
            continue
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _matches(choice: dict[str, Any], document: Any) -> bool:
    value = _lookup(document, choice["Variable"])
    for test in ("StringEquals", "BooleanEquals", "NumericEquals"):
        if test in choice:
            return bool(value == choice[test])
    raise ValueError(f"walk() does not evaluate {sorted(choice)}")


def walk(definition: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """The states a run enters when every task succeeds and returns what `document` holds under
    its ResultPath (tasks' results are read from `document`, not computed)."""
    states = definition["States"]
    name: str | None = definition["StartAt"]
    path: list[str] = []
    while name is not None:
        path.append(name)
        if len(path) > 1000:
            raise ValueError("the walk does not end")
        state = states[name]
        kind = state["Type"]
        if kind == "Choice":
            chosen = [c["Next"] for c in state.get("Choices", []) if _matches(c, document)]
            name = chosen[0] if chosen else state.get("Default")
        elif kind in ("Succeed", "Fail") or state.get("End"):
            name = None
        else:
            name = state["Next"]
    return path
