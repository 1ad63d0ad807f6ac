"""Print the HTTP API's route table, (method, path) from template.yaml, for
`ordersync/api/unrouted.py` (which answers 405 or 404 to what no route takes).

Usage: python -m tools.route_table > layers/common/ordersync/api/routes.json
"""

import json
import sys

from local.template import LocalTemplate
from ordersync.api.unrouted import CATCH_ALL


def route_table_json() -> str:
    routes = sorted(
        {(r.method, r.path) for r in LocalTemplate.load().routes} - {CATCH_ALL},
        key=lambda route: (route[1], route[0]),
    )
    return "[\n" + ",\n".join(f" {json.dumps(list(route))}" for route in routes) + "\n]\n"


if __name__ == "__main__":
    sys.stdout.write(route_table_json())
