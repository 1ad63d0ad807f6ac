"""ordersync.core.lean_imports: powertools' event handler package without its other resolvers
gives every name the real package gives, and the HTTP handlers import neither asyncio nor the
AppSync and Bedrock resolvers (make bench's cold start measures it)."""

import json
import subprocess
import sys

import pytest

from local.template import ROOT

COMPARE = """
import json, sys
import ordersync  # installs the lean package
import aws_lambda_powertools.event_handler as lean
before = sorted(name for name in ("asyncio", "aws_lambda_powertools.event_handler.appsync")
                if name in sys.modules)
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Response as direct
lean_only = before == [] and Response is direct and content_types.APPLICATION_JSON
from aws_lambda_powertools.event_handler import AppSyncResolver
names = {}
for name in lean.__all__:
    value = getattr(lean, name)
    names[name] = f"{value.__module__}.{value.__qualname__}"
print(json.dumps({"lean": bool(lean_only), "before": before, "names": names,
                  "appsync": AppSyncResolver.__name__}))
"""

REAL = """
import json
import aws_lambda_powertools.event_handler as real
print(json.dumps({name: f"{getattr(real, name).__module__}.{getattr(real, name).__qualname__}"
                  for name in real.__all__}))
"""

HANDLER = """
import sys
from local.template import LocalTemplate
from local.lambdas import load_handler
load_handler(LocalTemplate.load().functions[sys.argv[1]])
print(sorted(name for name in ("asyncio", "aws_lambda_powertools.event_handler.appsync",
                               "aws_lambda_powertools.event_handler.bedrock_agent")
             if name in sys.modules))
"""


def _run(code: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'layers' / 'common'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow  # fresh interpreters (1-5 s each on a busy machine)
def test_the_lean_package_gives_every_name_the_real_one_gives():
    lean = json.loads(_run(COMPARE))
    real = json.loads(_run(REAL))
    assert lean["lean"], lean["before"]
    assert lean["names"] == real
    assert lean["appsync"] == "AppSyncResolver"


HTTP_FUNCTIONS = ["ApiFunction", "ConsoleFunction", "MerchantApiFunction", "ResolvePageFunction"]


@pytest.mark.slow
@pytest.mark.parametrize("function", HTTP_FUNCTIONS)
def test_http_handlers_import_no_other_resolvers_and_no_asyncio(function):
    assert _run(HANDLER, function) == "[]"
