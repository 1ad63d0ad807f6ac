"""The console's lists on moto: the overview's counts and chart, the alerts page's filters,
triage view, columns and cursor, the history; and what keeps a page flat at 20,000 alerts."""

from datetime import timedelta

from ordersync.core.clock import now
from tests.console_harness import fail, signed_in


def test_the_overview_counts_open_alerts_and_charts_failures_with_links(console):
    fail("demo-merchant", 1)
    fail("demo-merchant", 2)
    fail("demo-merchant", 3, code="SKU Not Found", sku="MUG-9")
    fail("other-merchant", 1, code="Timeout")
    page = signed_in("operator@demo-merchant.test").get("/console/overview")
    assert page.status == 200
    assert "Ship Method Mapping Missing</a></td><td>2</td>" in page.body
    assert "SKU Not Found</a></td><td>1</td>" in page.body
    assert "Timeout" not in page.body  # the other merchant's code
    assert page.body.count("<rect ") == 2  # today's bar: two codes stacked
    assert "history?code=Ship+Method+Mapping+Missing&amp;level=error" in page.body


def test_the_alerts_page_lists_filters_and_refuses_bad_filters_with_every_problem(console):
    fail("demo-merchant", 1)
    fail("demo-merchant", 2, code="SKU Not Found", sku="MUG-9")
    fail("other-merchant", 9)
    browser = signed_in("operator@demo-merchant.test")
    every = browser.get("/console/alerts")
    assert every.status == 200
    assert "WEB-demo-1" in every.body
    assert "WEB-demo-2" in every.body
    assert "WEB-othe-9" not in every.body
    by_code = browser.get("/console/alerts", code="SKU Not Found")
    assert "WEB-demo-2" in by_code.body
    assert "WEB-demo-1" not in by_code.body
    bad = browser.get("/console/alerts", level="loud", httpCode="99", nonsense="1")
    assert bad.status == 422
    for field in ("level", "httpCode", "nonsense"):
        assert f"<strong>{field}</strong>" in bad.body


def test_the_triage_view_is_errors_updated_today_and_columns_can_be_chosen(console):
    fail("demo-merchant", 1)
    browser = signed_in("operator@demo-merchant.test")
    triage = browser.get("/console/alerts", view="triage")
    assert "Triage: errors updated today" in triage.body
    assert "WEB-demo-1" in triage.body
    chosen = browser.send(
        "GET", "/console/alerts", query="columns=orderId&columns=feedId&columns=ordersyncId"
    )
    assert '<th scope="col">ordersyncId</th>' in chosen.body
    assert '<th scope="col">message</th>' not in chosen.body
    assert "op-demo-merchant-1" in chosen.body


def test_the_alerts_page_pages_by_cursor_newest_first(console, monkeypatch):
    for n in range(55):
        fail("demo-merchant", n)
    browser = signed_in("operator@demo-merchant.test")
    first = browser.get("/console/alerts")
    assert first.body.count('class="row"') == 50
    assert first.body.index("WEB-demo-54") < first.body.index("WEB-demo-53")
    start = first.body.index('rel="next"')
    link = first.body[
        first.body.rindex('href="', 0, start) + 6 : first.body.index(
            '"', first.body.rindex('href="', 0, start) + 6
        )
    ]
    second = browser.send(
        "GET", "/console/alerts", query=link.split("?", 1)[1].replace("&amp;", "&")
    )
    assert second.body.count('class="row"') == 5
    assert "WEB-demo-54" not in second.body


def test_history_is_listed_with_a_day_window(console):
    fail("demo-merchant", 1)
    since = (now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    page = signed_in("viewer@demo-merchant.test").get("/console/history", createdAfter=since)
    assert page.status == 200
    assert "WEB-demo-1" in page.body


def test_an_alerts_page_is_one_indexed_query_never_a_scan_nor_a_count(console):
    """What keeps the page flat at 20,000 alerts: it reads one page from an index (the bench's
    query figure measures the same list call at 1,000 and 20,000 alerts)."""
    from ordersync.core import aws

    for n in range(120):
        fail("demo-merchant", n)
    browser = signed_in("operator@demo-merchant.test")
    calls: list[tuple[str, dict]] = []
    client = aws.dynamodb()

    def record(params, model, **_):
        calls.append((model.name, dict(params)))

    client.meta.events.register("provide-client-params.dynamodb", record)
    try:
        for query in ("", "code=Ship+Method+Mapping+Missing", "view=triage"):
            calls.clear()
            page = browser.send("GET", "/console/alerts", query=query)
            assert page.status == 200
            operations = [name for name, _ in calls]
            assert "Scan" not in operations
            queries = [params for name, params in calls if name == "Query"]
            assert len(queries) == 1, (query, operations)
            assert "IndexName" in queries[0]
            assert queries[0]["Limit"] <= 60  # a page and a fifth (next_read)
            assert "Select" not in queries[0]  # no COUNT
            assert page.body.count('class="row"') == 50
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb", record)


def test_the_view_exports_to_csv_and_xlsx_with_its_filters_and_columns(console):
    import csv
    import io

    from openpyxl import load_workbook

    fail("demo-merchant", 1)
    fail("demo-merchant", 2, code="SKU Not Found", sku="MUG-9")
    fail("other-merchant", 3, code="SKU Not Found", sku="MUG-9")
    browser = signed_in("viewer@demo-merchant.test")
    listed = browser.get("/console/alerts", code="SKU Not Found")
    assert "/console/export?code=SKU+Not+Found&amp;format=csv" in listed.body
    answer = browser.get(
        "/console/export", code="SKU Not Found", format="csv", columns="orderId,code"
    )
    assert answer.status == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    import base64

    rows = list(csv.reader(io.StringIO(base64.b64decode(answer.body).decode())))
    assert [row[1:] for row in rows] == [["orderId", "code"], ["WEB-demo-2", "SKU Not Found"]]
    assert rows[0][0] == "alertId"  # always there: it names the alert to act on
    sheet = browser.get("/console/export", format="xlsx", columns="orderId")
    book = load_workbook(io.BytesIO(base64.b64decode(sheet.body)), read_only=True)
    values = [row[1] for row in book.active.iter_rows(values_only=True)]
    assert values[0] == "orderId"
    assert sorted(values[1:]) == ["WEB-demo-1", "WEB-demo-2"]
    bad = browser.get("/console/export", format="pdf")
    assert bad.status == 422
    assert "must be csv or xlsx" in bad.body
