"""Write layers/common/requirements.txt, what `sam build` puts in the CommonLayer, from uv.lock.

pyproject.toml's runtime dependencies are the one list; uv.lock pins them and everything they
need. The layer gets those pins less what the python3.13 Lambda runtime already ships: boto3 and
its dependencies (botocore, s3transfer, jmespath, python-dateutil, six, urllib3), which arrive
here only through aws-xray-sdk's `botocore>=1.11.3`, a floor the runtime's botocore is far above.
Should a layer package ever need a newer one than the runtime has, take it off RUNTIME_PROVIDES.

Usage: python -m tools.layer_requirements [--check]   (`make lock` runs it after `uv lock`)
Standard library only: `make lock` runs it before anything else is installed.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "layers" / "common" / "requirements.txt"
# In the python3.13 Lambda runtime already: boto3 and everything it needs to import.
RUNTIME_PROVIDES = (
    "boto3",
    "botocore",
    "jmespath",
    "python-dateutil",
    "s3transfer",
    "six",
    "urllib3",
)


def uv() -> str:
    """The uv beside this interpreter (the venv's, as uv.lock pins it), else the one on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if found is None:
        raise SystemExit("uv not found: run make setup")
    return found


def export_arguments() -> list[str]:
    """`uv export` of the lock's runtime dependencies, pinned, less the runtime's packages."""
    arguments = ["export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    arguments += ["--no-header", "--no-annotate"]
    for name in RUNTIME_PROVIDES:
        arguments += ["--no-emit-package", name]
    return arguments


def render() -> str:
    """The requirements file as uv.lock says it should be (offline: reads the lock only)."""
    result = subprocess.run(
        [uv(), *export_arguments(), "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    header = [
        "# GENERATED from uv.lock by `make lock` (python -m tools.layer_requirements).",
        "# Do not edit: change pyproject.toml's dependencies and run `make lock`.",
        "# What `sam build` installs into the CommonLayer: pyproject.toml's runtime dependencies,",
        "# pinned as uv.lock pins them, less what the python3.13 Lambda runtime ships already;",
        "# layers/common/Makefile installs exactly these (pip --no-deps).",
        f"# uv {' '.join(export_arguments())}",
    ]
    return "\n".join(header) + "\n" + result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the file is stale")
    args = parser.parse_args()
    wanted = render()
    if args.check:
        if REQUIREMENTS.read_text() != wanted:
            print(f"{REQUIREMENTS.relative_to(ROOT)} is stale: run make lock", file=sys.stderr)
            return 1
        return 0
    REQUIREMENTS.write_text(wanted)
    print(f"wrote {REQUIREMENTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
