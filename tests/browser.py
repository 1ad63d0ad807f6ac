"""Debian's Chromium (`make browser` installs it) as the browser tests drive it through
Playwright: its path, the flags this machine's closed network needs, where screenshots go."""

from pathlib import Path

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
