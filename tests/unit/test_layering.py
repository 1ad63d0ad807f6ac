"""The package's rooms and the promises that keep them: imports run one way, no module grows
past 300 lines, one module writes an operation's status, one builds an alert, one builds
update expressions."""

import ast
import re
from pathlib import Path

import pytest

from local.template import ROOT

PACKAGE = ROOT / "layers/common/ordersync"
# Bottom to top: a room may import only the rooms before it (and itself).
ROOMS = [
    "core",
    "catalog",
    "config",
    "merchants",
    "orders",
    "history",
    "alerts",
    "operations",
    "delivery",
    "callbacks",
    "actions",
    "exports",
    "notifications",
    "reports",
    "web",
    "api",
    "console",
]
MODULES = sorted(PACKAGE.rglob("*.py"))
CODE = [
    *MODULES,
    *(
        path
        for folder in ("functions", "bench", "local", "tools", "tests")
        for path in (ROOT / folder).rglob("*.py")
    ),
]


def _room(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def _imported_rooms(path: Path) -> set[str]:
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "ordersync" and len(parts) > 1:
                rooms.add(parts[1])
            elif node.module == "ordersync":
                raise AssertionError(f"{path}: import from a room, not from ordersync itself")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "ordersync" and len(parts) > 1:
                    rooms.add(parts[1])
    return rooms


def test_every_module_lives_in_a_known_room():
    assert {_room(path) for path in MODULES if path.parent != PACKAGE} == set(ROOMS)
    assert [path.name for path in MODULES if path.parent == PACKAGE] == ["__init__.py"]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(module):
    if module.parent == PACKAGE:
        return
    rank = ROOMS.index(_room(module))
    above = sorted(room for room in _imported_rooms(module) if ROOMS.index(room) > rank)
    assert above == [], f"{_room(module)} must not import {above}"


def test_each_room_says_what_lives_there():
    for room in ROOMS:
        docstring = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text()))
        assert docstring, f"{room}/__init__.py has no docstring"


def test_no_module_is_longer_than_300_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in CODE
        if (n := len(path.read_text().splitlines())) > 300
    }
    assert long == {}


def _offenders(pattern: str, allowed: set[str]) -> list[str]:
    found = {
        str(path.relative_to(PACKAGE)) for path in MODULES if re.search(pattern, path.read_text())
    }
    return sorted(found - allowed)


def test_one_module_writes_an_operations_status():
    # An operation's status is set only by OperationStore.transition (and create, the first).
    writers = {"operations/records.py"}
    assert _offenders(r'\.set\(\s*"status"|"status":\s*OperationStatus', writers) == []
    records = (PACKAGE / "operations/records.py").read_text()
    assert records.count('.set("status"') == 1


def test_one_module_builds_an_alert():
    assert _offenders(r"(?<!class )\bAlert\(", {"alerts/policy.py"}) == []


def test_one_builder_writes_update_expressions():
    assert _offenders(r"UpdateExpression\s*=|\"UpdateExpression\"", {"core/dynamo.py"}) == []


def test_the_readme_map_names_every_module_of_every_room():
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("layers/common/ordersync/ ") : readme.index("statemachines/")]
    described: dict[str, str] = {}
    room = None
    for line in block.splitlines()[2:]:
        first = line.split()[0] if line.split() else ""
        if first.endswith("/") and first[:-1] in ROOMS:
            room = first[:-1]
        if room:
            described[room] = described.get(room, "") + " " + line
    missing = {
        room: sorted(
            path.stem
            for path in (PACKAGE / room).glob("*.py")
            if path.stem != "__init__" and not re.search(rf"\b{path.stem}\b", described[room])
        )
        for room in ROOMS
    }
    assert {room: names for room, names in missing.items() if names} == {}
