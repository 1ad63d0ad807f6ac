"""The resolver both API functions use: powertools' HTTP API resolver, with path parameters that
take any character but "/". An HTTP API hands the function the percent-decoded path, so an order
id holds whatever the client encoded (`WEB¦1`, `a"b`); powertools' own segment pattern (word
characters and a few symbols) would not route those at all, and the route's declared pattern,
not the router, is what decides which ids are valid (a 422 that says why, not a 404)."""

import re
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

_PARAMETER = re.compile(r"<(\w+)>")


class Resolver(APIGatewayHttpResolver):
    @staticmethod
    def _compile_regex(rule: str, base_regex: str = "^{}$") -> Any:
        return re.compile(base_regex.format(_PARAMETER.sub(r"(?P<\1>[^/]+)", rule)))
