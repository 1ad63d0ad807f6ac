"""The console's alerts page at volume: alerts written in bulk (batch writes of items shaped as
`AlertStore` writes them) into an Alerts table made from template.yaml's definition, and every
DynamoDB call a page makes, recorded with botocore's event hooks on the package's own client
(`ordersync.core.aws.dynamodb`), so what is counted is what the page asked for.

Used by `tests/integration/console/test_alerts_at_volume.py` (the page through the console's
handler, signed in) and by `python -m bench.query` (its "console alerts page" figures: the
list call the page makes, `ordersync.console.lists.alert_view`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from local.template import LocalTemplate
from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import alert_fields
from ordersync.catalog.codes import outcome
from ordersync.console import lists
from ordersync.core import aws
from ordersync.core.clock import iso, now
from ordersync.core.dynamo import to_item
from ordersync.core.models import Level, OperationType

# Failures a merchant works through, in a fixed rotation so every size has the same mix.
CODES = ("Ship Method Mapping Missing", "SKU Not Found", "Insufficient Data", "Order Created")
SHIPPING = "Ship Method Mapping Missing"


def create_alerts_table(dynamodb: Any, name: str) -> None:
    props = LocalTemplate.load().sam["Resources"]["AlertsTable"]["Properties"]
    dynamodb.create_table(
        TableName=name,
        BillingMode=props["BillingMode"],
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )


IGNORED_EVERY = 17


def alert_item(merchant_id: str, n: int, updated: datetime) -> dict[str, Any]:
    code = CODES[n % len(CODES)]
    result = outcome(code, order_id=f"WEB-{n}", operation="create", detail="Express")
    resolved = result.level in (Level.SUCCESS, Level.PENDING)
    alert = Alert(
        merchant_id=merchant_id,
        entity_key=f"erp#order#WEB-{n}",
        integration_id="erp",
        channel_id="shop",
        identifier=f"WEB-{n}",
        feed_id=f"feed-{n % 50}",
        operation_id=f"op-{merchant_id}-{n:08d}",
        operation=OperationType.CREATE,
        status=AlertStatus.RESOLVED if resolved else AlertStatus.OPEN,
        outcome=result,
        attempts=1,
        # Some set aside by a person: the default view drops them, and a page stays one Query.
        ignored=not resolved and n % IGNORED_EVERY == 0,
        history_ref=f"{merchant_id}#erp#order#WEB-{n}|{iso(updated)}#op#001#order",
        next_step="none" if resolved else "waiting for a person",
        created_at=updated - timedelta(minutes=5),
        updated_at=updated,
        resolved_at=updated if resolved else None,
    )
    fields = {k: v for k, v in alert_fields(alert).items() if v is not None}
    values = {"pk": merchant_id, "sk": alert.entity_key, **fields}
    return to_item({**values, "createdAt": iso(alert.created_at)})


def seed_alerts(
    dynamodb: Any, table: str, merchant_id: str, numbers: range, *, days: int = 30
) -> None:
    """Alerts `numbers` of `merchant_id`, updated over the last `days` (25 per batch write)."""
    step = timedelta(days=days) / max(1, len(numbers))
    moment = now()
    items = [alert_item(merchant_id, n, moment - step * (n - numbers.start)) for n in numbers]
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")


@dataclass
class Call:
    operation: str
    table: str
    index: str | None
    scanned: int | None = None  # ScannedCount of a Query or Scan
    returned: int | None = None


@dataclass
class DynamoCalls:
    calls: list[Call] = field(default_factory=list)

    def _asked(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        table = params.get("TableName") or ",".join(params.get("RequestItems") or {})
        self.calls.append(Call(model.name, str(table), params.get("IndexName")))

    def _answered(self, parsed: dict[str, Any], **_: Any) -> None:
        if self.calls and "ScannedCount" in parsed:
            self.calls[-1].scanned = parsed["ScannedCount"]
            self.calls[-1].returned = parsed.get("Count")

    def on(self, table: str, operation: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.table == table and operation in (None, c.operation)]


@contextmanager
def recorded() -> Iterator[DynamoCalls]:
    """Every call made through the package's DynamoDB client inside the block, in order."""
    found = DynamoCalls()
    events = aws.dynamodb().meta.events
    events.register("provide-client-params.dynamodb.*", found._asked, unique_id="page-ask")
    events.register("after-call.dynamodb.*", found._answered, unique_id="page-answer")
    try:
        yield found
    finally:
        events.unregister("provide-client-params.dynamodb.*", unique_id="page-ask")
        events.unregister("after-call.dynamodb.*", unique_id="page-answer")


VIEWS: dict[str, dict[str, str]] = {"newest first": {}, "one code": {"code": SHIPPING}}


def page_figures(merchant_id: str, table: str) -> dict[str, Any]:
    """Per view, the first page and the one its cursor link opens: Queries, Scans, indexes and
    items read, as `lists.alert_view` (the console's alerts page) asks for them."""
    figures: dict[str, Any] = {}
    for name, params in VIEWS.items():
        pages = []
        for _ in range(2):
            with recorded() as calls:
                view = lists.alert_view(merchant_id, params)
            alerts = calls.on(table)
            pages.append(
                {
                    "rows": len(view.rows),
                    "queries": len(calls.on(table, "Query")),
                    "scans": len([c for c in calls.calls if c.operation == "Scan"]),
                    "indexes": sorted({str(c.index) for c in alerts}),
                    "items_read": sum(c.scanned or 0 for c in alerts),
                    "other_calls": [c.operation for c in alerts if c.operation != "Query"],
                }
            )
            if view.next_query is None:
                break
            params = dict(parse_qsl(view.next_query))  # the page's "Next page" link
        figures[name] = pages
    return figures
