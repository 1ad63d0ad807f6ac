"""Issue 13's walk, end to end on the local stack, as the README's merchant section tells a new
user to take it: the operator signs in, the simulated platform rejects some orders, the operator
finds them by code, level and date, exports them to CSV and XLSX (read back with the csv module
and openpyxl, as a user's spreadsheet would), bulk-retries them by filter once the fault has
cleared, and sees them synced."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import openpyxl

from tests.factories import new_order, unique

OPERATOR = "operator@demo-merchant.test"


def _finished(operator, job_id: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = operator.get(f"/v1/alerts/bulk/{job_id}").json()
        if job["status"] != "running":
            return job
        time.sleep(0.5)
    raise AssertionError(f"bulk job {job_id} never finished")


def test_an_operator_finds_exports_and_bulk_retries_failed_orders(local_stack, order_request):
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    feed = unique("walk-")
    # Three rows: at the stack's export threshold (conftest OPTIONS), so each file is the answer.
    orders = [new_order(order_request, feedId=feed) for _ in range(3)]
    # Each order is rejected once; the fault is then spent, as a platform fixed by its owner.
    local_stack.set_faults(
        *(
            {
                "kind": "reject",
                "message": "ship method unknown",
                "orderId": f"demo-shop.{o['orderId']}",
            }
            for o in orders
        )
    )
    operations = []
    for order in orders:
        answer = local_stack.channel.post("/v1/orders", json=order)
        assert answer.status_code == 202, answer.text
        operations.append(answer.json()["operationId"])
    for operation in operations:
        local_stack.wait_for(operation, {"failed"})
    wanted = {o["orderId"] for o in orders}

    operator = local_stack.user(OPERATOR)
    found = operator.get(
        "/v1/alerts",
        params={
            "feedId": feed,
            "code": "Order Creation Failed",
            "level": "error",
            "createdAfter": since,
        },
    )
    assert found.status_code == 200, found.text
    assert {row["orderId"] for row in found.json()["items"]} == wanted

    filters = {"feedId": feed, "columns": "orderId,code,level"}
    as_csv = operator.get("/v1/alerts/export", params={**filters, "format": "csv"})
    assert as_csv.status_code == 200, as_csv.text
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode(), newline="")))
    assert {row["orderId"] for row in rows} == wanted
    assert {(row["code"], row["level"]) for row in rows} == {("Order Creation Failed", "error")}
    as_xlsx = operator.get("/v1/alerts/export", params={**filters, "format": "xlsx"})
    assert as_xlsx.status_code == 200, as_xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    header, *cells = list(sheet.iter_rows(values_only=True))
    assert {dict(zip(header, row, strict=True))["orderId"] for row in cells} == wanted

    started = operator.post(
        "/v1/alerts/bulk", json={"action": "retry", "filter": {"feedId": feed, "status": "failed"}}
    )
    assert started.status_code == 202, started.text
    job = _finished(operator, started.json()["jobId"])
    assert (job["status"], job["matched"], job["done"]) == ("finished", 3, 3)

    for operation in operations:
        assert local_stack.wait_for(operation, {"synced"})["alert"]["status"] == "resolved"
    still_failed = operator.get("/v1/alerts", params={"feedId": feed, "status": "failed"})
    assert still_failed.json()["items"] == []
