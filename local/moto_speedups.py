"""Work moto's server repeats on every request although its answer cannot change, done once.

Each patch below replaces a pure function of its arguments with a cached one, or a per-call
object with a shared one; none changes what moto answers. They were found by sampling the
stack under the soak (README, "Where the local stack's time goes").
"""

import functools
from typing import Any

PATCHED = "_ordersync_cached"


def apply() -> None:
    """Install every patch once per process (a second stack in the same process reuses them)."""
    from moto import backends

    if getattr(backends, PATCHED, False):
        return
    _cache_module_list(backends)
    _cache_backend_for_host()
    _cache_json_paths()
    _cache_update_expressions()
    _cache_method_names()
    setattr(backends, PATCHED, True)


def _cache_module_list(backends: Any) -> None:
    """The dispatcher asks which services moto has by listing its package directory (an
    os.listdir and a stat per service, over 150 of them) on every request."""
    listed = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listed


def _cache_backend_for_host() -> None:
    """A request's host names its service; the dispatcher matched it against every service's
    URL patterns, one regular expression after another, for each request."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    find = DomainDispatcherApplication.get_backend_for_host
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        # Called under the dispatcher's own lock, so the dict needs no other.
        if host not in found:
            found[host] = find(self, host)
        return found[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def _cache_json_paths() -> None:
    """moto's Step Functions compiles each JSONPath with a fresh PLY parser (building its
    tables) every time a state reads or writes one. A compiled path is never changed by
    find() or update(), so one per path string serves every execution."""
    from jsonpath_ng import parse as plain
    from jsonpath_ng.ext import parse as extended
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    json_path.parse = functools.lru_cache(maxsize=512)(extended)  # type: ignore[attr-defined]
    result_path.parse = functools.lru_cache(maxsize=512)(plain)  # type: ignore[attr-defined]


def _cache_update_expressions() -> None:
    """moto tokenises and parses an UpdateExpression on every UpdateItem. Its validator
    deep-copies the tree before it resolves names and values into it, so the parsed tree is
    never changed and one per expression string serves every call."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    make = UpdateExpressionParser.__dict__["make"].__func__
    UpdateExpressionParser.make = classmethod(  # type: ignore[method-assign, assignment]
        functools.lru_cache(maxsize=1024)(make)
    )


def _cache_method_names() -> None:
    """Each request's response class listed its own functions with inspect.getmembers, to see
    whether the action is one of them (5% of the stack's CPU once requests stopped crossing
    HTTP). A class's functions are fixed by then: the stack patches moto before it serves."""
    from moto.core import responses, utils

    @functools.lru_cache(maxsize=256)
    def method_names(clazz: type) -> frozenset[str]:
        return frozenset(utils.method_names_from_class(clazz))

    responses.method_names_from_class = method_names  # type: ignore[assignment]
