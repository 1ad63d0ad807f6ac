"""Exports on the local stack, as a merchant would use them from the README: failing orders
provoked with the simulated platform's faults, then exported. The stack runs with an export
threshold of 3 rows (conftest OPTIONS), so a filtered export is the file itself and the whole
list is a job, run by the export function from the exports queue, whose presigned link
downloads the file from the embedded S3."""

import csv
import io
import time

import httpx
import openpyxl
import pytest

from tests.factories import load_event, new_order, unique


@pytest.fixture(scope="module")
def rejected(local_stack) -> list[str]:
    """Four orders the platform rejects (open alerts); the first id is a formula."""
    orders = [new_order(load_event("requests/create_order.json")) for _ in range(4)]
    orders[0]["orderId"] = f"=SUM({unique()})"
    local_stack.set_faults(
        *(
            {
                "kind": "reject",
                "message": "SKU MUG-WHITE is unknown, =cmd|' /C calc'!A0",
                "code": "E-SKU",
                "orderId": f"demo-shop.{order['orderId']}",
            }
            for order in orders
        )
    )
    for order in orders:
        answer = local_stack.channel.post("/v1/orders", json=order)
        assert answer.status_code == 202, answer.text
        local_stack.wait_for(answer.json()["operationId"], {"failed"}, seconds=60)
    return [order["orderId"] for order in orders]


def test_a_filtered_export_is_the_file_itself(local_stack, rejected):
    viewer = local_stack.user("viewer@demo-merchant.test")
    answer = viewer.get(
        "/v1/alerts/export",
        params={"format": "csv", "identifier": rejected[0], "columns": "orderId,code,message"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="alerts-')
    rows = list(csv.reader(io.StringIO(answer.content.decode(), newline="")))
    assert rows[0] == ["alertId", "orderId", "code", "message"]
    assert len(rows) == 2
    assert rows[1][1] == f"'{rejected[0]}"  # the formula is text
    assert rows[1][2] == "Order Creation Failed"

    history = viewer.get(
        "/v1/history/export",
        params={"format": "xlsx", "identifier": rejected[1], "columns": "orderId,code"},
    )
    assert history.status_code == 200, history.text
    sheet = openpyxl.load_workbook(io.BytesIO(history.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("orderId", "code")
    # The customer's creation, the rejection and (once sent) the callback's record.
    assert {order_id for order_id, _ in rows[1:]} == {rejected[1]}
    assert "Order Creation Failed" in {code for _, code in rows[1:]}


def test_a_large_export_is_a_job_whose_link_downloads_the_file(local_stack, rejected):
    admin = local_stack.user("admin@demo-merchant.test")
    started = admin.get(
        "/v1/alerts/export", params={"format": "xlsx", "code": "Order Creation Failed"}
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] == "queued"
    assert started.headers["location"] == f"/v1/exports/{job['exportId']}"

    deadline = time.monotonic() + 60
    while (shown := admin.get(f"/v1/exports/{job['exportId']}").json())["status"] != "done":
        assert shown["status"] in ("queued", "running"), shown
        assert time.monotonic() < deadline, shown
        time.sleep(0.3)
    assert shown["rowsWritten"] >= 4
    download = httpx.get(shown["downloadUrl"], timeout=30)  # no credential: the link is it
    assert download.status_code == 200
    assert shown["filename"] in download.headers["content-disposition"]
    rows = list(
        openpyxl.load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True)
    )
    assert len(rows) == shown["rowsWritten"] + 1
    order_ids = {row[1] for row in rows[1:]}
    assert set(rejected[1:]) <= order_ids
    assert f"'{rejected[0]}" in order_ids

    # Another merchant's admin does not see the job; a bad export is 422 with every problem.
    other = local_stack.user("admin@other-merchant.test")
    assert other.get(f"/v1/exports/{job['exportId']}").status_code == 404
    refused = admin.get("/v1/history/export", params={"format": "ods", "httpCode": "abc"})
    assert refused.status_code == 422
    assert {p["field"] for p in refused.json()["problems"]} == {"format", "httpCode"}
