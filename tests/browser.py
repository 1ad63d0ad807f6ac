"""Debian's Chromium (`make browser` installs it) as the browser tests drive it through
Playwright: its path, the flags this machine's closed network needs, where screenshots go."""

import os
from pathlib import Path

import pytest

from local.template import ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = ROOT / ".artefacts" / "browser"

# Locally, a machine without Chromium skips the browser tests (`make browser` installs it). In
# CI, where `.ci/run` installs it first, a missing browser fails them instead: a skip there
# would hide that they never ran.
requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="no /usr/bin/chromium: run `make browser`",
)
