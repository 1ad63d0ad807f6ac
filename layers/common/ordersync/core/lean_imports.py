"""powertools' event handler package without the resolvers ordersync does not use.

`aws_lambda_powertools.event_handler`'s `__init__` imports every resolver it offers (AppSync's,
AppSync Events', Bedrock agents', VPC Lattice's) to re-export them, and AppSync's imports asyncio:
about 22 ms CPU of each HTTP function's cold start (the API, the merchant API, the console and
the resolve page) for classes none of them uses. Python runs a package's `__init__` before any
of its submodules, so the only way around it short of a change upstream is to put the package
in `sys.modules` first, as `install()` does, with the same path and spec, so its submodules
(`api_gateway`, `router`, `openapi.params`) import as they always do. The names the real
`__init__` takes from `api_gateway` are read from there; any other name runs the real `__init__`
into the module once, so `from aws_lambda_powertools.event_handler import AppSyncResolver` still
works, only without the saving (tests/unit/test_lean_imports.py compares both with the real one).
"""

import importlib
import importlib.util
import sys
import types
from typing import Any

PACKAGE = "aws_lambda_powertools.event_handler"
# What the package's `__init__` re-exports from `api_gateway` (powertools 3.x).
FROM_API_GATEWAY = frozenset(
    {
        "ALBResolver",
        "APIGatewayHttpResolver",
        "ApiGatewayResolver",
        "APIGatewayRestResolver",
        "CORSConfig",
        "Response",
    }
)


class _LeanPackage(types.ModuleType):
    _complete = False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in FROM_API_GATEWAY:
            return getattr(importlib.import_module(f"{PACKAGE}.api_gateway"), name)
        # `from package import content_types` asks the package before it imports a submodule.
        if importlib.util.find_spec(f"{PACKAGE}.{name}") is not None:
            return importlib.import_module(f"{PACKAGE}.{name}")
        if not self._complete:
            self._complete = True
            spec = self.__spec__
            assert spec is not None
            assert spec.loader is not None
            spec.loader.exec_module(self)
            return getattr(self, name)
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")


def install() -> None:
    """Stand in for the event handler package, unless something imported the real one first."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        return
    module = _LeanPackage(PACKAGE)
    module.__spec__ = spec
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = PACKAGE
    sys.modules[PACKAGE] = module
    # What the import system does for a submodule it loads: the parent names it.
    parent, _, child = PACKAGE.rpartition(".")
    setattr(importlib.import_module(parent), child, module)
