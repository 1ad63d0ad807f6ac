"""`make fuzz`: schemathesis against a local stack of its own, reading the OpenAPI document the
code generates (docs/openapi.json, so every route either app serves is fuzzed without a line
here), with every check (`not_a_server_error`, `negative_data_rejection`, `ignored_auth`, …) and
both credentials: the demo channel's on channel routes, a merchant admin's JWT on merchant
routes (tools/schemathesis.toml).

Usage: python -m tools.fuzz [--examples N] [--report DIR]   (FUZZ_EXAMPLES: the default N)
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from local.process import start
from local.seed import DEMO_CREDENTIAL, USER_PASSWORD
from local.template import ROOT

CONFIG = ROOT / "tools" / "schemathesis.toml"
DOCUMENT = ROOT / "docs" / "openapi.json"
SCHEMATHESIS = Path(sys.executable).parent / "st"


def command(url: str, examples: int, report: Path | None) -> list[str]:
    return [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        str(DOCUMENT),
        "--url",
        url,
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--workers",
        "2",
        # Seeded, so a failure found once is found again by the same command.
        "--seed",
        os.environ.get("FUZZ_SEED", "1"),
        *(["--report", "junit", "--report-dir", str(report)] if report else []),
    ]


def fuzz(examples: int, report: Path | None = None) -> int:
    """Run schemathesis against a fresh local stack; its exit code (0: nothing found)."""
    stack = start("--time-scale", "0.05")
    env = {
        **os.environ,
        "FUZZ_CHANNEL_CREDENTIAL": DEMO_CREDENTIAL,
        "FUZZ_MERCHANT_EMAIL": "admin@demo-merchant.test",
        "FUZZ_MERCHANT_PASSWORD": USER_PASSWORD,
        # The rules the document can state only in words (tools/fuzz_hooks.py).
        "SCHEMATHESIS_HOOKS": "tools.fuzz_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    began = time.monotonic()
    try:
        run = subprocess.run(command(stack.url, examples, report), env=env, cwd=ROOT, check=False)
        return run.returncode
    finally:
        stack.stop()
        print(f"fuzz: {examples} examples per operation, {time.monotonic() - began:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", 100)))
    parser.add_argument("--report", type=Path)
    arguments = parser.parse_args()
    sys.exit(fuzz(arguments.examples, arguments.report))


if __name__ == "__main__":
    main()
