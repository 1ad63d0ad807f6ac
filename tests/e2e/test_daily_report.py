"""The daily report on the local stack, as someone trying it would: an admin sets it through
the API, an order carries the report's fields, `make report` (python -m tools.report) sends
it, and the CSV arrives in GET /_local/outbox."""

import csv
import email
import io
import subprocess
import sys
import uuid
from typing import Any

import httpx

from local.template import ROOT


def test_make_report_sends_the_admins_report_with_the_days_orders(local_stack, order_request):
    address = f"report-{uuid.uuid4().hex[:8]}@demo-merchant.test"
    admin = local_stack.user("admin@demo-merchant.test")
    setting = {"sendTime": "23:59", "timeZone": "Asia/Tokyo", "recipients": [address]}
    assert admin.put("/v1/settings/report", json=setting).status_code == 200
    order_id = f"WEB-{uuid.uuid4().hex[:10]}"
    body = {
        **order_request,
        "orderId": order_id,
        "accountId": "ACC-9",
        "deliveryDate": "2026-12-24",
    }
    created = local_stack.channel.post("/v1/orders", json=body)
    local_stack.wait_for(created.json()["operationId"], {"synced"}, seconds=30)
    run = subprocess.run(
        [sys.executable, "-m", "tools.report", "--url", local_stack.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "/_local/outbox" in run.stdout
    outbox: list[dict[str, Any]] = httpx.get(f"{local_stack.url}/_local/outbox", timeout=10).json()
    [sent] = [m for m in outbox if m.get("to") == address]
    assert sent["subject"] == "Daily Order Sync Status Report"
    message = email.message_from_string(sent["raw"])
    [attached] = [p for p in message.walk() if p.get_filename()]
    raw = attached.get_payload(decode=True)
    assert isinstance(raw, bytes)
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert rows[0][0] == "Order id"
    mine = [row for row in rows[1:] if row[0] == order_id]
    assert mine == [[order_id, "demo-shop", "ACC-9", "2026-12-24", mine[0][4], "Synced"]]
    assert mine[0][4].endswith("+09:00")  # placed at, in Tokyo's time
