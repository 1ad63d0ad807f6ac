"""The console on moto: sign-in through the pool's app client, pages rendered from the domain's
lists, CSRF on every form, the headers every page carries, and no other merchant's data."""

from ordersync.console import session
from tests.console_harness import Browser, csrf_of, fail, signed_in


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
