"""Query cost: items read (ScannedCount, plus items then read by key) for one page of 50 alerts,
for typical filters alone and combined (status, code, level, needs action, a created-date window,
an updated range, a message keyword, several at once), at 1,000 and at 20,000 alerts, beside a
Scan that filters the same way; and what the list indexes' projections cost (read units per page,
write units per alert update) against projecting ALL.

The Alerts table is created from its definition in template.yaml, on moto, and seeded with batch
writes of items shaped as AlertStore writes them (`alert_fields`): five merchants, the one
queried holding 40%, codes, levels and statuses drawn from the catalog with fixed weights, so
both sizes have the same mix. Pages come from `ordersync.alerts.listing.list_alerts` (the
planner's one keyed Query, newest first), and so do the console alerts page's figures (Queries,
Scans and items read per page, by `bench.console_page`). Newest-first cannot be had from a Scan
without reading every item, so the Scan baseline reads the whole table.

Usage: python -m bench.query [--sizes 1000 20000]   (prints JSON)
"""

import argparse
import json
import os
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from bench.console_page import create_alerts_table, page_figures
from bench.dynamo_meter import table_shapes
from bench.dynamo_units import TableShape, item_size, read_units, write_cost
from local.template import LocalTemplate
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.query import AlertQuery
from ordersync.alerts.repository import alert_fields
from ordersync.catalog.codes import outcome
from ordersync.core.aws import reset_clients
from ordersync.core.clock import iso
from ordersync.core.dynamo import to_item
from ordersync.core.models import Level, OperationType
from ordersync.history.filters import Term, filter_expression, query_terms

REGION = "us-east-1"
TABLE = "bench-alerts"
OTHER_TABLES = ("HISTORY", "CONFIG", "OPERATIONS", "ORDERS", "SIGNATURES")
PAGE = 50
MERCHANTS = {"m-0": 0.4, "m-1": 0.15, "m-2": 0.15, "m-3": 0.15, "m-4": 0.15}
QUERIED = "m-0"
# code: weight. Successes resolve their alert; the rest stay open (a tenth of them ignored).
CODES = {
    "Order Created": 0.35,
    "Order Invoice Created": 0.1,
    "Pending Verification": 0.05,
    "SKU Not Found": 0.1,
    "Platform Unavailable": 0.1,
    "Ship Method Mapping Missing": 0.15,
    "Insufficient Data": 0.15,
}
# The bench's alerts are created over 30 days from 2026-10-25 and updated within a day.
FILTERS: dict[str, dict[str, str]] = {
    "open, newest first": {"status": "open"},
    "one code": {"code": "Ship Method Mapping Missing"},
    # Successes have no by-code and by-level entries: by-updated answers, filtered.
    "successes": {"level": "success"},
    "open errors": {"status": "open", "level": "error"},
    "needs action": {"needsAction": "true"},
    "created window (10 days)": {"createdAfter": "2026-11-01", "createdBefore": "2026-11-11"},
    "updated range (10 days)": {"updatedAfter": "2026-11-01", "updatedBefore": "2026-11-11"},
    "message keyword": {"message": "shipping"},
    "multi: error, erp, keyword, since": {
        "level": "error",
        "integration": "erp",
        "message": "order",
        "createdAfter": "2026-11-05",
    },
    "multi: created window, failed": {
        "createdAfter": "2026-11-01",
        "createdBefore": "2026-11-11",
        "status": "failed",
    },
}


def _environment() -> None:
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            **{f"{name}_TABLE": f"bench-{name.lower()}_table" for name in OTHER_TABLES},
            "ALERTS_TABLE": TABLE,
        }
    )


def alerts(count: int, seed: int = 5) -> list[Any]:
    draw = random.Random(seed)
    start = datetime(2026, 10, 25, tzinfo=UTC)
    made = []
    for n in range(count):
        merchant = draw.choices(list(MERCHANTS), weights=list(MERCHANTS.values()))[0]
        code = draw.choices(list(CODES), weights=list(CODES.values()))[0]
        detail = draw.choice(["no shipping method for Express", "customer address missing"])
        result = outcome(code, order_id=f"WEB-{n}", operation="create", detail=detail)
        resolved = result.level in (Level.SUCCESS, Level.PENDING)
        created = start + timedelta(seconds=draw.uniform(0, 30 * 86400))
        updated = created + timedelta(seconds=draw.uniform(0, 86400))
        made.append(
            Alert(
                merchant_id=merchant,
                entity_key=f"{'erp' if n % 4 else 'wms'}#order#WEB-{n}",
                integration_id="erp" if n % 4 else "wms",
                channel_id="shop",
                identifier=f"WEB-{n}",
                feed_id=f"feed-{n % 50}",
                operation_id=f"op-{n:08d}",
                operation=OperationType.CREATE,
                status=AlertStatus.RESOLVED if resolved else AlertStatus.OPEN,
                ignored=not resolved and draw.random() < 0.1,
                outcome=result,
                attempts=1,
                history_ref=f"{merchant}#erp#order#WEB-{n}|{updated.isoformat()}#op#001#order",
                next_step="none" if resolved else "waiting for a person",
                created_at=created,
                updated_at=updated,
                resolved_at=updated if resolved else None,
            )
        )
    return made


def seed(dynamodb: Any, count: int) -> list[dict[str, Any]]:
    """Write `count` alerts with batch writes; returns the items, the queried merchant's
    newest first."""
    items = []
    for alert in alerts(count):
        fields = {k: v for k, v in alert_fields(alert).items() if v is not None}
        values = {"pk": alert.merchant_id, "sk": alert.entity_key, **fields}
        items.append(to_item({**values, "createdAt": iso(alert.created_at)}))
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={TABLE: batch})
    mine = [item for item in items if item["pk"]["S"] == QUERIED]
    return sorted(mine, key=lambda item: item["updatedAt"]["S"], reverse=True) + [
        item for item in items if item["pk"]["S"] != QUERIED
    ]


def scan_baseline(dynamodb: Any, wanted: dict[str, str]) -> dict[str, int]:
    """Read the whole table, as newest-first on a Scan must, keeping what matches (the same
    terms the planner filters with, plus the merchant)."""
    query = AlertQuery.parse(wanted)
    terms = [*query_terms(query), Term(("merchantId",), "eq", (QUERIED,))]
    if query.needs_action:
        terms.append(Term(("needsAction",), "eq", (QUERIED,)))
    request: dict[str, Any] = {"TableName": TABLE, **filter_expression(terms)}
    scanned = matched = requests = 0
    while True:
        response = dynamodb.scan(**request)
        requests += 1
        scanned += response["ScannedCount"]
        matched += response["Count"]
        if "LastEvaluatedKey" not in response:
            return {"scanned": scanned, "matched": matched, "requests": requests}
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _old_shape(shape: TableShape) -> TableShape:
    """The alerts table as it was before the query planner: every list index projecting ALL."""
    return replace(
        shape,
        indexes=tuple(
            replace(index, projection="ALL", included=())
            if index.projection == "INCLUDE"
            else index
            for index in shape.indexes
        ),
    )


def projections(items: list[dict[str, Any]], shape: TableShape) -> dict[str, Any]:
    """Per page of PAGE alerts and per alert update: read and write units of the template's
    projections (INCLUDE: what a list shows) against ALL, and against KEYS_ONLY plus a
    BatchGetItem of the page (what reading keys first and fetching the rest would cost)."""
    page = items[:PAGE]
    by_updated = next(index for index in shape.indexes if index.name == "by-updated")
    keys = (*shape.keys, *by_updated.keys)
    include = set(keys) | set(by_updated.included)
    sizes = {
        "ALL": sum(item_size(item) for item in page),
        "INCLUDE": sum(item_size({k: v for k, v in i.items() if k in include}) for i in page),
        "KEYS_ONLY": sum(item_size({k: v for k, v in i.items() if k in keys}) for i in page),
    }
    batch_get = sum(read_units(item_size(item), consistent=False) for item in page)
    before = page[0]
    after = {
        **before,
        "updatedAt": {"S": "2026-12-01T00:00:00.000Z"},
        "nextStep": {"S": "retrying automatically (run 2 of 10 done)"},
        "attempts": {"N": "2"},
    }
    return {
        "page_read_units": {
            "ALL": read_units(sizes["ALL"], consistent=False),
            "INCLUDE": read_units(sizes["INCLUDE"], consistent=False),
            "KEYS_ONLY + BatchGetItem": read_units(sizes["KEYS_ONLY"], consistent=False)
            + batch_get,
        },
        "page_bytes": sizes,
        "update_write_units": {
            "before (ALL)": write_cost(_old_shape(shape), before, after).total,
            "after (template)": write_cost(shape, before, after).total,
        },
        "create_write_units": {
            "before (ALL)": write_cost(_old_shape(shape), None, before).total,
            "after (template)": write_cost(shape, None, before).total,
        },
    }


def measure(sizes: list[int]) -> dict[str, Any]:
    _environment()
    results: dict[str, Any] = {"page_size": PAGE, "sizes": {}}
    shape = table_shapes(LocalTemplate.load().sam)["AlertsTable"]
    for size in sizes:
        with mock_aws():
            reset_clients()
            dynamodb = boto3.client("dynamodb", region_name=REGION)
            create_alerts_table(dynamodb, TABLE)
            items = seed(dynamodb, size)
            mean_bytes = round(sum(item_size(item) for item in items) / len(items))
            by_filter = {}
            for name, wanted in FILTERS.items():
                page = list_alerts(
                    QUERIED, AlertQuery.parse({**wanted, "limit": str(PAGE)}), table=TABLE
                )
                baseline = scan_baseline(dynamodb, wanted)
                by_filter[name] = {
                    "index": page.index,
                    "returned": len(page.items),
                    # items read: index entries, plus items read by key (keys-only index)
                    "scanned": page.scanned + page.fetched,
                    "fetched": page.fetched,
                    "queries": page.queries,
                    "read_units": read_units(page.scanned * mean_bytes, consistent=False)
                    + page.fetched * read_units(mean_bytes, consistent=False),
                    "scan_baseline": {
                        **baseline,
                        "read_units": read_units(
                            baseline["scanned"] * mean_bytes, consistent=False
                        ),
                    },
                }
            figures = {"mean_item_bytes": mean_bytes, "filters": by_filter}
            # The console's alerts page (its list call): a first page and its "Next page".
            figures["console_alerts_page"] = page_figures(QUERIED, TABLE)
            results["sizes"][str(size)] = figures
            if size == max(sizes):
                results["projections"] = projections(items, shape)
            reset_clients()
    small, large = (results["sizes"][str(size)]["filters"] for size in (min(sizes), max(sizes)))
    ratios = {name: round(large[name]["scanned"] / small[name]["scanned"], 3) for name in FILTERS}
    results["ratio"] = ratios
    results["scan_ratio"] = {
        name: round(
            large[name]["scan_baseline"]["scanned"] / small[name]["scan_baseline"]["scanned"], 3
        )
        for name in FILTERS
    }
    results["query_scanned_ratio_max"] = max(ratios.values())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.query", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    args = parser.parse_args()
    print(json.dumps(measure(args.sizes), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
