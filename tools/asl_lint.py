"""Check every state machine of template.yaml: it parses, every transition lands on a state,
every state is reachable, every Task has Retry and Catch, and every ${Placeholder} has a
DefinitionSubstitution (and every substitution is used).

Usage: python -m tools.asl_lint [template.yaml]
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def _targets(state: dict[str, Any]) -> list[str]:
    targets = [state[key] for key in ("Next", "Default") if key in state]
    targets += [choice["Next"] for choice in state.get("Choices", []) if "Next" in choice]
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return targets


def check_states(states: dict[str, Any], start: str, where: str) -> list[str]:
    problems = []
    if start not in states:
        problems.append(f"{where}: StartAt {start!r} is not a state")
    terminal = False
    for name, state in states.items():
        kind = state.get("Type")
        for target in _targets(state):
            if target not in states:
                problems.append(f"{where}: {name} goes to {target!r}, which is not a state")
        ends = state.get("End") is True or kind in ("Succeed", "Fail")
        terminal |= ends
        if kind not in ("Choice", "Succeed", "Fail") and not ends and "Next" not in state:
            problems.append(f"{where}: {name} has neither Next nor End")
        if kind == "Task":
            if not state.get("Retry"):
                problems.append(f"{where}: Task {name} has no Retry")
            if not state.get("Catch"):
                problems.append(f"{where}: Task {name} has no Catch")
        for branch_index, branch in enumerate(state.get("Branches", [])):
            problems += check_states(
                branch["States"], branch["StartAt"], f"{where}/{name}[{branch_index}]"
            )
        if "Iterator" in state or "ItemProcessor" in state:
            inner = state.get("ItemProcessor") or state["Iterator"]
            problems += check_states(inner["States"], inner["StartAt"], f"{where}/{name}")
    if not terminal:
        problems.append(f"{where}: no state ends the execution")
    reachable, frontier = set(), [start]
    while frontier:
        name = frontier.pop()
        if name in reachable or name not in states:
            continue
        reachable.add(name)
        frontier.extend(_targets(states[name]))
    problems += [f"{where}: {name} cannot be reached" for name in states if name not in reachable]
    return problems


def check_template(template_path: Path) -> list[str]:
    template = yaml_parse(template_path.read_text())
    problems: list[str] = []
    machines = 0
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::StateMachine":
            continue
        machines += 1
        props = resource["Properties"]
        path = template_path.parent / props["DefinitionUri"]
        text = path.read_text()
        try:
            definition = json.loads(text)
        except ValueError as error:
            problems.append(f"{path}: not JSON: {error}")
            continue
        used = set(PLACEHOLDER.findall(text))
        given = set(props.get("DefinitionSubstitutions", {}))
        problems += [
            f"{path}: ${{{name}}} has no DefinitionSubstitution in {logical_id}"
            for name in sorted(used - given)
        ]
        problems += [
            f"{logical_id}: substitution {name} is never used in {path.name}"
            for name in sorted(given - used)
        ]
        problems += check_states(definition["States"], definition["StartAt"], str(path))
        problems += _parse_with_moto(
            PLACEHOLDER.sub("arn:aws:lambda:us-east-1:123456789012:function:placeholder", text),
            path,
        )
    for path in sorted((template_path.parent / "statemachines").glob("*.asl.json")):
        if not any(
            r.get("Properties", {}).get("DefinitionUri") == f"statemachines/{path.name}"
            for r in template["Resources"].values()
        ):
            problems.append(f"{path}: no state machine in the template uses it")
    if machines == 0:
        problems.append("the template declares no state machine")
    return problems


def _parse_with_moto(definition: str, path: Path) -> list[str]:
    """moto's ASL parser (the one the local stack executes with) must accept the definition."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    try:
        AmazonStateLanguageParser.parse(definition)
    except Exception as error:
        return [f"{path}: the ASL parser refuses it: {error}"]
    return []


def main() -> int:
    template = Path(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
    problems = check_template(template)
    for problem in problems:
        print(problem)
    print(f"asl: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
