"""Query cost: items read (ScannedCount) for one page of 50 alerts, for four typical filters, at
1,000 and at 20,000 alerts, beside a Scan that filters the same way.

The Alerts table is created from its definition in template.yaml, on moto, and seeded with batch
writes of items shaped as AlertStore writes them (`store.alert_fields`): five merchants, the one
queried holding 40%, codes, levels and statuses drawn from the catalog with fixed weights, so
both sizes have the same mix. Pages come from `AlertStore.page` (a keyed Query on one index,
newest first). Newest-first cannot be had from a Scan without reading every item, so the Scan
baseline reads the whole table.

Usage: python -m bench.query [--sizes 1000 20000]   (prints JSON)
"""

import argparse
import json
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from bench.dynamo_units import item_size, read_units
from local.template import LocalTemplate
from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import AlertStore, alert_fields
from ordersync.catalog.codes import outcome
from ordersync.core.aws import reset_clients
from ordersync.core.clock import iso
from ordersync.core.dynamo import to_item
from ordersync.core.models import Level, OperationType

REGION = "us-east-1"
TABLE = "bench-alerts"
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
FILTERS: dict[str, dict[str, Any]] = {
    "open, newest first": {"status": "open"},
    "one code": {"code": "Ship Method Mapping Missing"},
    "open errors": {"status": "open", "level": "error"},
    "needs action": {"needs_action": True},
}


def _environment() -> None:
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            **{
                name: f"bench-{name.lower()}"
                for name in (
                    "HISTORY_TABLE",
                    "CONFIG_TABLE",
                    "OPERATIONS_TABLE",
                    "ORDERS_TABLE",
                    "SIGNATURES_TABLE",
                )
            },
            "ALERTS_TABLE": TABLE,
        }
    )


def create_table(dynamodb: Any) -> None:
    props = LocalTemplate.load().sam["Resources"]["AlertsTable"]["Properties"]
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode=props["BillingMode"],
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )


def alerts(count: int, seed: int = 5) -> list[Any]:
    draw = random.Random(seed)
    start = datetime(2026, 10, 25, tzinfo=UTC)
    made = []
    for n in range(count):
        merchant = draw.choices(list(MERCHANTS), weights=list(MERCHANTS.values()))[0]
        code = draw.choices(list(CODES), weights=list(CODES.values()))[0]
        result = outcome(code, order_id=f"WEB-{n}", operation="create", detail="bench")
        resolved = result.level in (Level.SUCCESS, Level.PENDING)
        created = start + timedelta(seconds=draw.uniform(0, 30 * 86400))
        updated = created + timedelta(seconds=draw.uniform(0, 86400))
        made.append(
            Alert(
                merchant_id=merchant,
                entity_key=f"erp#order#WEB-{n}",
                integration_id="erp",
                channel_id="shop",
                identifier=f"WEB-{n}",
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


def seed(dynamodb: Any, count: int) -> int:
    """Write `count` alerts with batch writes; returns their mean item size in bytes."""
    items = []
    for alert in alerts(count):
        fields = {k: v for k, v in alert_fields(alert).items() if v is not None}
        values = {"pk": alert.merchant_id, "sk": alert.entity_key, **fields}
        items.append(to_item({**values, "createdAt": iso(alert.created_at)}))
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={TABLE: batch})
    return round(sum(item_size(item) for item in items) / len(items))


def scan_baseline(dynamodb: Any, wanted: dict[str, Any]) -> dict[str, int]:
    """Read the whole table, as newest-first on a Scan must, keeping what matches."""
    names, values, terms = {"#m": "merchantId"}, {":m": {"S": QUERIED}}, ["#m = :m"]
    if wanted.get("status"):
        names["#s"], values[":s"] = "status", {"S": wanted["status"]}
        terms.append("#s = :s")
    if wanted.get("code"):
        names["#c"], values[":c"] = "code", {"S": wanted["code"]}
        terms.append("#c = :c")
    if wanted.get("level"):
        names["#l"], values[":l"] = "level", {"S": Level(wanted["level"]).value}
        terms.append("#l = :l")
    if wanted.get("needs_action"):
        names["#n"], values[":n"] = "needsAction", {"S": QUERIED}
        terms.append("#n = :n")
    scanned = matched = requests = 0
    request: dict[str, Any] = {
        "TableName": TABLE,
        "FilterExpression": " AND ".join(terms),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    while True:
        response = dynamodb.scan(**request)
        requests += 1
        scanned += response["ScannedCount"]
        matched += response["Count"]
        if "LastEvaluatedKey" not in response:
            return {"scanned": scanned, "matched": matched, "requests": requests}
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def measure(sizes: list[int]) -> dict[str, Any]:
    _environment()
    results: dict[str, Any] = {"page_size": PAGE, "sizes": {}}
    for size in sizes:
        with mock_aws():
            reset_clients()
            dynamodb = boto3.client("dynamodb", region_name=REGION)
            create_table(dynamodb)
            mean_bytes = seed(dynamodb, size)
            store = AlertStore(TABLE)
            by_filter = {}
            for name, wanted in FILTERS.items():
                page = store.page(
                    QUERIED,
                    status=AlertStatus(wanted["status"]) if "status" in wanted else None,
                    code=wanted.get("code"),
                    level=Level(wanted["level"]) if "level" in wanted else None,
                    needs_action=bool(wanted.get("needs_action")),
                    limit=PAGE,
                )
                baseline = scan_baseline(dynamodb, wanted)
                by_filter[name] = {
                    "index": page.index,
                    "returned": len(page.alerts),
                    "scanned": page.scanned,
                    # Eventually consistent reads of index entries (ALL projections: the item).
                    "read_units": read_units(page.scanned * mean_bytes, consistent=False),
                    "scan_baseline": {
                        **baseline,
                        "read_units": read_units(
                            baseline["scanned"] * mean_bytes, consistent=False
                        ),
                    },
                }
            results["sizes"][str(size)] = {"mean_item_bytes": mean_bytes, "filters": by_filter}
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
