"""What only some integrations need is not imported at cold start (make bench measures it)."""

import subprocess
import sys

import pytest

from local.template import ROOT

PROBE = """
import sys
import ordersync.delivery.service
print(sorted({name.split(".")[0] for name in sys.modules} & {"jinja2", "jsonschema"}))
"""


@pytest.mark.slow  # a fresh interpreter, like the cold-import checks (1-14 s on a busy machine)
def test_delivering_without_a_template_or_schema_loads_neither_jinja2_nor_jsonschema():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
