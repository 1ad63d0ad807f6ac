"""Print the HTTP API's OpenAPI document, generated from the API's code (`ordersync.api`).

Usage: python -m tools.openapi > docs/openapi.json
"""

import sys

from ordersync.api.app import OPENAPI, app


def openapi_json() -> str:
    return str(app.get_openapi_json_schema(**OPENAPI)) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
