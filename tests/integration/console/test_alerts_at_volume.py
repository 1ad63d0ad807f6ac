"""With 20,000 alerts of one merchant (and another merchant's beside them) in an Alerts table
made from template.yaml, the console's alerts page, rendered by its handler for a signed-in
user, is one Query on an index per page: no Scan, nothing read to count, and as many items read
per page at 20,000 alerts as at 1,000. The overview's counts stay within their read ceiling. Every DynamoDB call the page makes is recorded with
botocore's event hooks on the package's client."""

import html
import re
import time
from datetime import timedelta
from typing import Any

import boto3
import pytest

from bench.console_page import SHIPPING, create_alerts_table, recorded, seed_alerts
from ordersync.console import lists, session
from ordersync.core.aws import reset_clients
from ordersync.core.clock import now
from ordersync.core.settings import get_settings
from tests.console_harness import Browser, moto_key_set, signed_in

TABLE = "console-volume-alerts"
THEIRS = range(100_000, 105_000)  # the other merchant's order numbers, never on our pages
VIEWS: dict[str, dict[str, str]] = {
    "newest first": {},
    "one code": {"code": SHIPPING},
    "triage": {"view": "triage"},
}


@pytest.fixture
def volume(console, monkeypatch):
    """An Alerts table of its own (dropped after: emptying 25,000 items would cost the next
    test as much as seeding them), which the console reads."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    create_alerts_table(dynamodb, TABLE)
    monkeypatch.setenv("ALERTS_TABLE", TABLE)
    reset_clients()
    session.verifier()._keys = (time.monotonic(), moto_key_set())
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


def walk(browser: Browser, params: dict[str, str]) -> list[dict[str, Any]]:
    """The view's first page and the next (through its "Next page" link): what each showed
    and every DynamoDB call it made."""
    pages = []
    path, query = "/console/alerts", "&".join(f"{k}={v}" for k, v in params.items())
    for _ in range(2):
        with recorded() as calls:
            page = browser.send("GET", path, query=query)
        assert page.status == 200, page.body
        alerts = calls.on(TABLE)
        pages.append(
            {
                "rows": page.body.count('class="row" name="ids"'),
                "alert_calls": [(c.operation, c.index) for c in alerts],
                "items_read": sum(c.scanned or 0 for c in alerts),
                "other_calls": {(c.operation, c.table) for c in calls.calls if c.table != TABLE},
                "scans": [c for c in calls.calls if c.operation == "Scan"],
                "theirs": re.findall(r"WEB-1\d{5}\b", page.body),
            }
        )
        found = re.search(r'<a href="([^"]+)" rel="next">', page.body)
        if found is None:
            break
        path, _, query = html.unescape(found[1]).partition("?")
    return pages


@pytest.mark.slow
def test_each_alerts_page_is_one_indexed_query_at_1000_and_at_20000_alerts(volume, monkeypatch):
    # The triage view lists errors updated since midnight UTC; the alerts are spread over 30
    # days back from now, so just after midnight "today" held too few for a second page.
    # Seen from twelve hours ago, "today" began at least twelve hours back, whenever this runs.
    monkeypatch.setattr(lists, "now", lambda: now() - timedelta(hours=12))
    browser = signed_in("operator@demo-merchant.test")
    config = get_settings().config_table
    figures: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for mine, theirs in ((range(0, 1_000), THEIRS[:250]), (range(1_000, 20_000), THEIRS[250:])):
        seed_alerts(volume, TABLE, "demo-merchant", mine)
        seed_alerts(volume, TABLE, "other-merchant", theirs)
        figures[mine.stop] = {name: walk(browser, params) for name, params in VIEWS.items()}
    assert volume.describe_table(TableName=TABLE)["Table"]["ItemCount"] == 25_000
    for size, views in figures.items():
        for name, pages in views.items():
            for n, page in enumerate(pages):
                where = f"{name}, page {n + 1}, {size} alerts"
                assert len(page["alert_calls"]) == 1, where  # one call on the alerts table...
                operation, index = page["alert_calls"][0]
                assert operation == "Query", where  # ...a Query...
                assert index is not None, where  # ...on an index
                assert page["scans"] == [], where
                # Besides it, only the signed-in user's record (their role, on every page).
                assert page["other_calls"] <= {("GetItem", config)}, where
                assert page["theirs"] == [], where
                assert page["items_read"] <= 60, where  # a page and a fifth (next_read)
    for name in ("newest first", "one code"):
        small, large = figures[1_000][name], figures[20_000][name]
        assert [p["rows"] for p in large] == [50, 50], name  # both pages full, a next link
        assert [p["items_read"] for p in large] == [p["items_read"] for p in small], name
    # The overview counts open alerts by level and code: bounded reads, then "at least".
    with recorded() as calls:
        overview = browser.get("/console/overview")
    assert overview.status == 200
    assert [c for c in calls.calls if c.operation == "Scan"] == []
    counted = calls.on(TABLE)
    assert {c.operation for c in counted} == {"Query"}
    assert len(counted) <= 15  # 3 levels x 5 pages of 200
    assert sum(c.scanned or 0 for c in counted) <= 3_000
    assert '<span class="figure">1000+</span> error' in overview.body  # capped, and says so
    triage = figures[20_000]["triage"]  # errors updated today: a key range on by-level
    assert [p["alert_calls"] for p in triage] == [[("Query", "by-level")]] * 2
