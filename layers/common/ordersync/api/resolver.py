"""The resolver both API functions use: powertools' HTTP API resolver, with path parameters that
take any character but "/". An HTTP API hands the function the percent-decoded path, so an order
id holds whatever the client encoded (`WEB¦1`, `a"b`); powertools' own segment pattern (word
characters and a few symbols) would not route those at all, and the route's declared pattern,
not the router, is what decides which ids are valid (a 422 that says why, not a 404)."""

import re
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

_PARAMETER = re.compile(r"<(\w+)>")


class Resolver(APIGatewayHttpResolver):
    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "^{}$") -> Any:
        return re.compile(base_regex.format(_PARAMETER.sub(r"(?P<\1>[^/]+)", rule)))

    def enable_swagger_on_first_use(
        self, path: str, settings: Callable[[], dict[str, Any]]
    ) -> None:
        """powertools' Swagger page, set up by its first request: `enable_swagger` imports the
        OpenAPI models (about 80 ms CPU, a fifth of the API's cold start) for a page that few
        requests ask for. The route is declared now, so routing and the template agree."""
        page: list[Callable[[], Any]] = []

        @self.get(path, include_in_schema=False)
        def swagger() -> Any:
            if not page:
                known = {id(route) for route in self._static_routes}
                # powertools warns that the path has a route already: this one, which stays
                # first in line and hands each request to the page registered behind it.
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "A route like this was already registered")
                    self.enable_swagger(path=path, **settings())
                page.extend(r.func for r in self._static_routes if id(r) not in known)
            return page[0]()
