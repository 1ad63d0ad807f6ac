"""Print the HTTP API's OpenAPI document, generated from the api function's code.

Usage: python -m tools.openapi > docs/openapi.json
"""

import sys

from local.lambdas import _load
from local.template import LocalTemplate


def openapi_json() -> str:
    handler = _load(LocalTemplate.load().functions["ApiFunction"], environment=0)
    module = sys.modules[handler.__module__]
    return str(module.app.get_openapi_json_schema(**module.OPENAPI)) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
