"""pyproject.toml is the one list of dependencies: uv.lock must lock it as it is, and the layer's
requirements.txt must be what `make lock` writes from that lock. Offline: uv reads files only."""

import os
import re
import subprocess
import sys

from tools import layer_requirements
from tools.layer_requirements import REQUIREMENTS, ROOT, RUNTIME_PROVIDES

PIN = re.compile(r"^[a-z0-9-]+==[^\s;]+( ; .+)?$")


def _pins() -> list[str]:
    lines = REQUIREMENTS.read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_the_lock_is_current_with_pyproject():
    result = subprocess.run(
        [layer_requirements.uv(), "lock", "--locked", "--offline", "--python", sys.executable],
        cwd=ROOT,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"uv.lock is stale: run make lock\n{result.stderr[-2000:]}"


def test_the_layer_requirements_are_what_the_lock_exports():
    assert REQUIREMENTS.read_text() == layer_requirements.render(), (
        "layers/common/requirements.txt is stale or edited by hand: run make lock"
    )


def test_the_layer_pins_every_package_and_leaves_out_what_the_runtime_has():
    pins = _pins()
    assert pins
    assert [line for line in pins if not PIN.match(line)] == []
    names = {line.split("==")[0] for line in pins}
    assert names.isdisjoint(RUNTIME_PROVIDES)
    # The handlers use powertools' Tracer: its extra (the X-Ray SDK) must ship.
    assert {"aws-lambda-powertools", "aws-xray-sdk", "pydantic"} <= names
