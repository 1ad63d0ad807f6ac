"""Cold start per function: import and init of its handler, divided by the floor.

Each measurement is a fresh interpreter (`bench/probe.py`). The handler run imports the
function's `app.py` as Lambda does (function folder, then the layer, on sys.path) and creates the
clients the function uses through `ordersync.aws`; the floor imports only boto3 and creates the
same clients. Only what is deployed can be imported: the layer's requirements and boto3, with
their dependencies (the dev venv's extras, such as rich, click, awscrt or pyOpenSSL, change what
httpx and botocore import, and Lambda has none of them). The time is the process's CPU time, so
other work on the machine counts less than it would in wall time; the runs alternate, so
what noise is left hits them alike. Each figure is the median of `runs`; functions that create
the same clients share their floor, the median of all its runs.

A third run per function, the "libraries" figure, is the floor plus the libraries the handler
loads (pydantic, powertools' Logger, Tracer, event handler or batch processor, httpx, Jinja2,
joserfc: `bench/required_stack.py`), set up as our handlers set them up and in the order they
import them, with no code of ours: the ratio a function would have were all of ordersync's own
import time gone. It is read as a share of the handler's time, run by run (each libraries run
follows its handler run), times the handler's ratio: two medians taken apart let a slow spell
put the part above the whole.

Usage: python -m bench.cold_start [--runs 7] [--only OrderCreateFunction]   (prints JSON)
"""

import argparse
import importlib.metadata
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bench import required_stack
from local.template import ROOT, LocalTemplate

PROBE = ROOT / "bench" / "probe.py"
LAYER = ROOT / "layers" / "common"
# The Lambda Python runtime ships boto3; the layer ships the rest.
RUNTIME_PROVIDES = ("boto3",)
FACTORY = re.compile(r"def (\w+)\(\)[^:]*:\s+return boto3\.client\(\"(\w+)\"")
CLIENT_CALL = re.compile(r"\baws\.(\w+)\(\)")
TARGET_RATIO = 1.5


def requirements(layer: Path = LAYER) -> list[str]:
    lines = (layer / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def not_deployed(roots: list[str]) -> list[str]:
    """Installed top-level modules outside what `roots` need (extras and markers honoured)."""
    seen: set[str] = set()
    pending = [(Requirement(root), set[str]()) for root in roots]
    while pending:
        requirement, _ = pending.pop()
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in distribution.requires or []:
            needed = Requirement(line)
            environments = [{"extra": extra} for extra in requirement.extras] or [{"extra": ""}]
            if needed.marker is None or any(needed.marker.evaluate(e) for e in environments):
                pending.append((needed, set()))
    names = {entry.split("[")[0] for entry in seen} | {"ordersync"}
    return sorted(
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if not any(canonicalize_name(d) in names for d in distributions)
    )


def client_factories() -> dict[str, str]:
    """ordersync.core.aws's cached factories: factory name -> boto3 service name."""
    return dict(FACTORY.findall((LAYER / "ordersync" / "core" / "aws.py").read_text()))


def clients_used(modules: list[str]) -> list[str]:
    """The aws.py factories that the ordersync modules a handler imports call."""
    factories = client_factories()
    used: set[str] = set()
    for module in modules:
        if module.startswith("ordersync."):
            source = LAYER / (module.replace(".", "/") + ".py")
            if source.exists():
                used |= {f for f in CLIENT_CALL.findall(source.read_text()) if f in factories}
    return sorted(used)


def function_environment(template: LocalTemplate, logical_id: str) -> dict[str, str]:
    """The environment the template gives a function, with stand-ins for resource references."""
    sam = template.sam
    parameters = sam.get("Parameters", {})

    def value(raw: Any) -> str:
        if isinstance(raw, dict) and "Ref" in raw:
            target = raw["Ref"]
            if target in parameters:
                return str(parameters[target].get("Default", target))
            if target.endswith("Queue"):
                return f"https://sqs.us-east-1.amazonaws.com/123456789012/{target}"
            if target.endswith("StateMachine"):
                return f"arn:aws:states:us-east-1:123456789012:stateMachine:{target}"
            return str(target)
        return str(raw)

    variables = dict(sam["Globals"]["Function"]["Environment"]["Variables"])
    function = sam["Resources"][logical_id]["Properties"]
    variables.update(function.get("Environment", {}).get("Variables", {}))
    environment = {name: value(raw) for name, raw in variables.items()}
    keep = ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")
    return {
        **{k: v for k, v in os.environ.items() if k in keep},
        **environment,
        # What the Lambda runtime sets: with it, powertools' Tracer is on, as it is deployed, and
        # the X-Ray SDK takes its Lambda path (no sampling-rules client of its own).
        "AWS_LAMBDA_FUNCTION_NAME": logical_id,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(template.functions[logical_id].code_dir),
        "_HANDLER": template.functions[logical_id].handler,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.get("MemorySize", 512)),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def probe(spec: dict[str, Any], environment: dict[str, str], tree: Path = ROOT) -> dict[str, Any]:
    """One fresh interpreter's figures; `tree`: another checkout (its venv, probe and code), to
    measure two trees side by side."""
    python = sys.executable if tree == ROOT else str(tree / ".venv" / "bin" / "python")
    result = subprocess.run(
        [python, "-I", str(tree / "bench" / "probe.py"), json.dumps(spec)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"cold-start probe failed:\n{result.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def import_profile(
    handler: dict[str, Any], floor: dict[str, Any], environment: dict[str, str], top: int = 6
) -> list[str]:
    """What the handler imports beyond the floor, by package, slowest first (`-X importtime`
    self times, so each module counts once)."""

    def self_times(spec: dict[str, Any]) -> dict[str, int]:
        result = subprocess.run(
            [sys.executable, "-I", "-X", "importtime", str(PROBE), json.dumps(spec)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        times = {}
        for line in result.stderr.splitlines():
            parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[0].isdigit():
                times[parts[2]] = int(parts[0])
        return times

    beyond_floor = self_times(floor)
    by_package: dict[str, int] = {}
    for module, microseconds in self_times(handler).items():
        if module not in beyond_floor:
            package = module.split(".")[0]
            by_package[package] = by_package.get(package, 0) + microseconds
    slowest = sorted(by_package.items(), key=lambda item: -item[1])[:top]
    return [f"{package} {microseconds / 1000:.0f} ms" for package, microseconds in slowest]


def measure(runs: int, only: list[str] | None = None) -> dict[str, Any]:
    template = LocalTemplate.load()
    functions = sorted(only or template.functions)
    denied_handler = not_deployed(requirements() + list(RUNTIME_PROVIDES))
    denied_floor = not_deployed(list(RUNTIME_PROVIDES))
    factories = client_factories()
    specs: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, str]]] = {}
    for logical_id in functions:
        environment = function_environment(template, logical_id)
        function_dir = str(template.functions[logical_id].code_dir)
        discover = {"denied": denied_handler, "function_dir": function_dir, "layer": str(LAYER)}
        # A first, untimed run: finds the ordersync modules it imports, and warms the .pyc files.
        modules = probe({**discover, "clients": []}, environment)["modules"]
        clients = clients_used(modules)
        handler_spec = {**discover, "clients": clients}
        floor_spec = {
            "denied": denied_floor,
            "function_dir": None,
            "layer": str(LAYER),
            "clients": [factories[c] for c in clients],
        }
        probe(floor_spec, environment)
        libraries_spec = {
            **floor_spec,
            "denied": denied_handler,
            "libraries": required_stack.required_by(modules),
        }
        probe(libraries_spec, environment)
        specs[logical_id] = (handler_spec, floor_spec, libraries_spec, environment)
    timings: dict[str, dict[str, list[dict[str, float]]]] = {
        f: {"handler": [], "floor": [], "libraries": []} for f in specs
    }
    for _ in range(runs):
        for logical_id, (handler_spec, floor_spec, libraries_spec, environment) in specs.items():
            timings[logical_id]["handler"].append(probe(handler_spec, environment))
            timings[logical_id]["libraries"].append(probe(libraries_spec, environment))
            timings[logical_id]["floor"].append(probe(floor_spec, environment))
    # Functions that create the same clients share one floor: every run of it counts.
    floors: dict[tuple[str, ...], list[dict[str, float]]] = {}
    for logical_id, (handler_spec, _, _, _) in specs.items():
        floors.setdefault(tuple(handler_spec["clients"]), []).extend(timings[logical_id]["floor"])

    def median(runs_of: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs_of)

    results: dict[str, Any] = {}
    for logical_id, (handler_spec, floor_spec, libraries_spec, environment) in specs.items():
        handler_runs = timings[logical_id]["handler"]
        floor_runs = floors[tuple(handler_spec["clients"])]
        ratio = median(handler_runs, "ms") / median(floor_runs, "ms")
        # The libraries are a part of what the handler loads, each run timed right after the
        # handler's: the share of each pair, not two medians, so a slow spell cancels out.
        library_runs = timings[logical_id]["libraries"]
        share = statistics.median(
            libraries["ms"] / handler["ms"]
            for handler, libraries in zip(handler_runs, library_runs, strict=True)
        )
        entry: dict[str, Any] = {
            "clients": handler_spec["clients"],
            "handler_ms": round(median(handler_runs, "ms"), 1),
            "floor_ms": round(median(floor_runs, "ms"), 1),
            "ratio": round(ratio, 3),
            "libraries": libraries_spec["libraries"],
            "libraries_ms": round(median(handler_runs, "ms") * share, 1),
            "libraries_ratio": round(ratio * share, 3),
            "handler_wall_ms": round(median(handler_runs, "wall_ms"), 1),
            "floor_wall_ms": round(median(floor_runs, "wall_ms"), 1),
            "floor_runs": len(floor_runs),
        }
        if ratio > TARGET_RATIO:
            entry["beyond_floor"] = import_profile(handler_spec, floor_spec, environment)
        results[logical_id] = entry
    return {
        "method": "median CPU time of a fresh process importing the handler and creating its "
        "clients, over the same for boto3 alone (the floor, pooled over the functions that "
        "create the same clients); runs interleaved. libraries: boto3 and the same clients "
        "with the libraries the handler loads set up as it sets them up (bench/required_stack.py), "
        "no code of ours: the handler's figure times the median share of paired runs",
        "runs": runs,
        "functions": results,
        "cold_start_ratio_max": max(entry["ratio"] for entry in results.values()),
        "libraries_ratio_max": max(entry["libraries_ratio"] for entry in results.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", action="append")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.only), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
