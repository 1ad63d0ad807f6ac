"""Importing a handler must do no I/O: no client, no settings read, no network."""

import os
import subprocess
import sys

import pytest

from local.template import ROOT, LocalTemplate

FUNCTIONS = sorted(LocalTemplate.load().functions)

PROBE = """
import socket, sys
def refuse(*args, **kwargs):
    raise AssertionError("network use at import")
socket.socket.connect = refuse
socket.create_connection = refuse
from local.template import LocalTemplate
from local.lambdas import load_handler
load_handler(LocalTemplate.load().functions[sys.argv[1]])
print("imported")
"""


@pytest.mark.slow  # a fresh interpreter per function (1-8 s each on a busy machine)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_importing_a_handler_needs_no_environment_and_no_network(function):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("AWS_", "ALERTS_", "CONFIG_", "HISTORY_", "OPERATIONS_", "ORDERS_", "SIGNATURES_")
        )
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, function],
        cwd=ROOT,
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "imported"
