"""The console on moto: sign-in through the pool's app client, pages rendered from the domain's
lists, CSRF on every form, the headers every page carries, and no other merchant's data."""

import time
from datetime import timedelta

import boto3
import pytest

from ordersync.alerts import policy
from ordersync.alerts.ids import alert_id
from ordersync.catalog.codes import outcome
from ordersync.console import session
from ordersync.core.clock import now
from ordersync.core.models import OperationMessage
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from tests.console_harness import Browser, csrf_of, merchant_pool, moto_key_set


def message(merchant: str, n: int, operation: str = "create") -> OperationMessage:
    return OperationMessage.model_validate(
        {
            "operation_id": f"op-{merchant}-{n}",
            "operation": operation,
            "merchant_id": merchant,
            "integration_id": "demo-erp",
            "channel_id": "demo-shop",
            "order_id": f"WEB-{merchant[:4]}-{n}",
            "accepted_at": now(),
            "payload": {},
        }
    )


def fail(merchant: str, n: int, code: str = "Ship Method Mapping Missing", **facts) -> str:
    """Record a failure (alert and history) as the pipeline does; the alert's id."""
    subject = message(merchant, n)
    result = outcome(code, order_id=subject.order_id, detail="Express", **facts)
    policy.record(subject, result, next_step="waits for a person", attempts=1)
    HistoryStore().append(
        HistoryRecord(
            operation_id=subject.operation_id,
            operation=subject.operation,
            direction="demo-shop → demo-erp",
            merchant_id=merchant,
            integration_id=subject.integration_id,
            channel_id=subject.channel_id,
            identifier=subject.order_id,
            entity_key=subject.entity_key,
            attempt=1,
            outcome=result,
            content_source=f'{{"orderId": "{subject.order_id}", "note": "<script>alert(1)</script>"}}',
            content_translated=f'{{"externalId": "demo-shop.{subject.order_id}"}}',
            content_destination='{"error": "unknown ship method"}',
            created_at=now(),
        )
    )
    return alert_id(subject.entity_key)


@pytest.fixture
def console(stack, monkeypatch):
    client = boto3.client("cognito-idp", region_name="us-east-1")
    pool = merchant_pool(client)
    monkeypatch.setenv("MERCHANT_USER_POOL_ID", pool.pool_id)
    monkeypatch.setenv("MERCHANT_USER_POOL_CLIENT_ID", pool.client_id)
    from ordersync.core.aws import reset_clients

    reset_clients()
    verifier = session.verifier()
    verifier._keys = (time.monotonic(), moto_key_set())
    yield pool
    reset_clients()


def signed_in(email: str) -> Browser:
    browser = Browser()
    answer = browser.sign_in(email)
    assert answer.status == 303, answer.body
    assert answer.location == "/console/overview"
    return browser


def test_sign_in_keeps_the_id_token_in_a_secure_http_only_lax_cookie(console):
    browser = Browser()
    answer = browser.sign_in("operator@demo-merchant.test")
    assert answer.status == 303
    session_cookie = next(c for c in answer.cookies if c.startswith(session.SESSION_COOKIE))
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in session_cookie
    overview = browser.get("/console/overview")
    assert overview.status == 200
    assert "operator@demo-merchant.test" in overview.body


def test_a_wrong_password_is_refused_with_a_reason_and_no_session(console):
    browser = Browser()
    answer = browser.sign_in("operator@demo-merchant.test", "wrong-password-1")
    assert answer.status == 401
    assert "wrong email or password" in answer.body
    assert session.SESSION_COOKIE not in browser.jar


def test_a_sign_in_form_without_its_token_is_refused(console):
    browser = Browser()
    browser.get("/console/sign-in")
    answer = browser.post(
        "/console/sign-in",
        {"email": "operator@demo-merchant.test", "password": "ordersync-local", "csrf": "forged"},
    )
    assert answer.status == 403
    assert session.SESSION_COOKIE not in browser.jar


def test_without_a_session_every_page_sends_to_sign_in(console):
    for path in ("/console/overview", "/console/alerts", "/console/settings"):
        answer = Browser().get(path)
        assert (answer.status, answer.location) == (303, "/console/sign-in")
    forged = Browser(jar={session.SESSION_COOKIE: "not-a-token"}).get("/console/alerts")
    assert forged.location == "/console/sign-in"


def test_sign_out_ends_the_session(console):
    browser = signed_in("viewer@demo-merchant.test")
    page = browser.get("/console/overview")
    answer = browser.post("/console/sign-out", {"csrf": csrf_of(page.body)})
    assert answer.status == 303
    assert session.SESSION_COOKIE not in browser.jar
    assert browser.get("/console/overview").location == "/console/sign-in"


def test_every_page_has_a_content_security_policy(console):
    browser = signed_in("admin@demo-merchant.test")
    for path in ("/console/overview", "/console/alerts", "/console/settings", "/console/sign-in"):
        answer = browser.get(path)
        csp = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp, path
        assert "script-src 'self'" in csp, path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


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


def test_an_order_page_shows_its_story_contents_escaped_and_the_code_meaning(console):
    shown = fail("demo-merchant", 1)
    page = signed_in("operator@demo-merchant.test").get(f"/console/alerts/{shown}")
    assert page.status == 200
    assert "Order WEB-demo-1" in page.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.body  # the channel's text, escaped
    assert "<script>alert(1)" not in page.body
    assert "Destination (the platform&#39;s answer)" in page.body
    assert "unknown ship method" in page.body


def test_another_merchants_order_is_not_found(console):
    theirs = fail("other-merchant", 1)
    page = signed_in("operator@demo-merchant.test").get(f"/console/alerts/{theirs}")
    assert page.status == 404


def test_a_viewer_sees_no_action_and_an_ungranted_admin_sees_them_off_with_the_reason(console):
    shown = fail("demo-merchant", 1)
    viewer = signed_in("viewer@demo-merchant.test")
    for path in ("/console/alerts", f"/console/alerts/{shown}"):
        assert 'name="action"' not in viewer.get(path).body
    admin = signed_in("admin@demo-merchant.test").get(f"/console/alerts/{shown}")
    assert 'value="retry" disabled' in admin.body
    assert "an admin has not granted you order-sync actions" in admin.body
    operator = signed_in("operator@demo-merchant.test").get(f"/console/alerts/{shown}")
    assert 'value="retry">' in operator.body
    assert "Actions are off" not in operator.body


def test_settings_are_for_admins_and_change_a_users_grant_with_csrf(console):
    assert signed_in("operator@demo-merchant.test").get("/console/settings").status == 403
    admin = signed_in("admin@demo-merchant.test")
    page = admin.get("/console/settings")
    assert "viewer@demo-merchant.test" in page.body
    assert "admin@other-merchant.test" not in page.body
    legend = page.body.index("<legend>viewer@demo-merchant.test</legend>")
    viewer_id = page.body[:legend].rsplit("settings/users/", 1)[1].split('"')[0]
    forged = admin.post(f"/console/settings/users/{viewer_id}", {"role": "operator", "csrf": "x"})
    assert forged.status == 403
    answer = admin.post(
        f"/console/settings/users/{viewer_id}",
        {"role": "operator", "orderSync": "on", "csrf": csrf_of(page.body)},
    )
    assert answer.status == 303, answer.body
    after = admin.get("/console/settings").body
    form = after[after.index(f"users/{viewer_id}") :].split("</form>")[0]
    assert '<option value="operator" selected>' in form
    assert 'name="orderSync" checked' in form


def test_static_files_are_served_and_nothing_else(console):
    browser = Browser()
    assert browser.get("/console/static/console.css").status == 200
    assert browser.get("/console/static/..%2Fapp.py").status == 404
    assert browser.get("/console/static/session.py").status == 404


def test_under_a_named_stage_links_keep_the_stage(console):
    answer = Browser().get("/dev/console/overview")
    assert answer.location == "/dev/console/sign-in"


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
            assert queries[0]["Limit"] <= 50
            assert "Select" not in queries[0]  # no COUNT
            assert page.body.count('class="row"') == 50
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb", record)
