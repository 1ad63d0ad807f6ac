"""Settings, alert contacts, on moto: an admin sets a user's email frequency and the named
contacts with CSRF-checked forms, and the merchant API's GET /v1/settings/notifications reads
back what they set; other roles, forged forms, another merchant's users and bad values are
refused, each with a page that says why."""

import importlib
import json
from html.parser import HTMLParser
from typing import Any

from local.lambdas import LambdaContext
from ordersync.merchants.repository import UserStore
from tests.console_harness import Browser, csrf_of, signed_in
from tests.factories import load_event

merchant_api = importlib.import_module("functions.merchant_api.app")
ADMIN = "admin@demo-merchant.test"


def user_id(merchant: str, email: str) -> str:
    return next(u.user_id for u in UserStore().list(merchant) if u.email == email)


def api_settings(email: str = ADMIN, merchant: str = "demo-merchant") -> dict[str, Any]:
    """GET /v1/settings/notifications as `email` would call it, through the merchant API."""
    event = load_event("merchant_api/get_notification_settings.json")
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    claims.update({"sub": user_id(merchant, email), "custom:merchant_id": merchant})
    answer = merchant_api.lambda_handler(
        event, LambdaContext(function_name="merchant_api", timeout_seconds=29)
    )
    assert answer["statusCode"] == 200, answer["body"]
    return json.loads(answer["body"])


def frequency_of(settings: dict[str, Any], email: str) -> str:
    return next(u["frequency"] for u in settings["users"] if u["email"] == email)


def set_frequency(browser: Browser, user: str, frequency: str, csrf: str | None) -> Any:
    """The user form's post, as the page sends it (`csrf` None: left out)."""
    fields = {"frequency": frequency} if csrf is None else {"frequency": frequency, "csrf": csrf}
    return browser.post(f"/console/settings/contacts/users/{user}", fields)


def settings_page(browser: Browser) -> tuple[str, str]:
    page = browser.get("/console/settings")
    assert page.status == 200, page.body
    return page.body, csrf_of(page.body)


def test_an_admin_sets_a_users_frequency_and_the_api_reads_it_back(console):
    admin = signed_in(ADMIN)
    body, csrf = settings_page(admin)
    operator = user_id("demo-merchant", "operator@demo-merchant.test")
    assert f"settings/contacts/users/{operator}" in body
    added = admin.post(
        "/console/settings/contacts",
        {"contacts.0.name": "Night desk", "contacts.0.email": "night@demo.test", "csrf": csrf},
    )
    assert added.status == 303, added.body
    answer = set_frequency(admin, operator, "hourly", csrf)
    assert (answer.status, answer.location) == (303, "/console/settings#alert-contacts")
    stored = api_settings()
    assert frequency_of(stored, "operator@demo-merchant.test") == "hourly"
    assert frequency_of(stored, "viewer@demo-merchant.test") == "immediate"
    # The user form keeps the contacts (the service replaces the whole list).
    assert stored["contacts"] == [
        {"name": "Night desk", "email": "night@demo.test", "frequency": "immediate"}
    ]
    after, _ = settings_page(admin)
    form = after[after.index(f"contacts/users/{operator}") :].split("</form>")[0]
    assert '<option value="hourly" selected>' in form
    # Not granted notifications (the seed grants none), so not emailed at any frequency...
    assert "Receives alerts: no (notifications are not granted" in form
    granted = admin.post(
        f"/console/settings/users/{operator}",
        {"role": "operator", "notifications": "on", "csrf": csrf},
    )
    assert granted.status == 303, granted.body
    # ...until an admin grants them (the Users section): then at the frequency set here.
    assert "Receives alerts: yes, hourly" in admin.get("/console/settings").body
    users = api_settings()["users"]
    assert next(u for u in users if u["userId"] == operator)["notifications"] is True


def test_the_contacts_form_adds_changes_and_removes_named_addresses(console):
    admin = signed_in(ADMIN)
    _, csrf = settings_page(admin)
    admin.post(
        "/console/settings/contacts",
        {
            "csrf": csrf,
            **{"contacts.0.name": "Desk", "contacts.0.email": "desk@demo.test"},
            **{"contacts.1.email": "boss@demo.test", "contacts.1.frequency": "daily"},
            **{"contacts.2.name": "", "contacts.2.email": ""},  # a blank row is no contact
        },
    )
    assert [c["email"] for c in api_settings()["contacts"]] == ["desk@demo.test", "boss@demo.test"]
    body, _ = settings_page(admin)
    assert 'name="contacts.1.email" type="email" value="boss@demo.test"' in body
    answer = admin.post(
        "/console/settings/contacts",
        {
            "csrf": csrf,
            **{"contacts.0.email": "desk@demo.test", "contacts.0.remove": "on"},
            **{"contacts.1.email": "boss@demo.test", "contacts.1.frequency": "off"},
        },
    )
    assert answer.status == 303, answer.body
    assert api_settings()["contacts"] == [
        {"name": "", "email": "boss@demo.test", "frequency": "off"}
    ]


def test_bad_values_answer_the_page_with_422_and_every_problem(console):
    admin = signed_in(ADMIN)
    _, csrf = settings_page(admin)
    operator = user_id("demo-merchant", "operator@demo-merchant.test")
    weekly = set_frequency(admin, operator, "weekly", csrf)
    assert weekly.status == 422
    assert "operator@demo-merchant.test frequency: Input should be" in weekly.body
    assert '<h2 id="alert-contacts">' in weekly.body  # the page itself, not a bare error
    two = admin.post(
        "/console/settings/contacts",
        {
            "csrf": csrf,
            **{"contacts.0.email": "not-an-address", "contacts.0.frequency": "immediate"},
            **{"contacts.1.email": "ok@demo.test", "contacts.1.frequency": "sometimes"},
        },
    )
    assert two.status == 422
    assert "contact not-an-address email: is not an email address" in two.body
    assert "contact ok@demo.test frequency: Input should be" in two.body
    stored = api_settings()
    assert stored["contacts"] == []
    assert frequency_of(stored, "operator@demo-merchant.test") == "immediate"


def test_viewers_and_operators_get_the_settings_403_and_change_nothing(console):
    operator = user_id("demo-merchant", "operator@demo-merchant.test")
    for email in ("viewer@demo-merchant.test", "operator@demo-merchant.test"):
        browser = signed_in(email)
        assert browser.get("/console/settings").status == 403
        csrf = csrf_of(browser.get("/console/overview").body)
        mine = set_frequency(browser, operator, "off", csrf)
        assert mine.status == 403, email
        assert "only an admin sets who is notified" in mine.body
        listed = browser.post(
            "/console/settings/contacts", {"contacts.0.email": "x@demo.test", "csrf": csrf}
        )
        assert listed.status == 403, email
    stored = api_settings()
    assert (frequency_of(stored, "operator@demo-merchant.test"), stored["contacts"]) == (
        "immediate",
        [],
    )


def test_a_form_without_its_csrf_token_is_refused(console):
    admin = signed_in(ADMIN)
    operator = user_id("demo-merchant", "operator@demo-merchant.test")
    for csrf in (None, "forged"):
        answer = set_frequency(admin, operator, "daily", csrf)
        assert answer.status == 403
        assert "did not come from the console" in answer.body
    missing = admin.post("/console/settings/contacts", {"contacts.0.email": "x@demo.test"})
    assert missing.status == 403
    assert frequency_of(api_settings(), "operator@demo-merchant.test") == "immediate"
    assert api_settings()["contacts"] == []


def test_another_merchants_user_is_not_found_and_keeps_their_frequency(console):
    admin = signed_in(ADMIN)
    _, csrf = settings_page(admin)
    theirs = user_id("other-merchant", "admin@other-merchant.test")
    answer = set_frequency(admin, theirs, "off", csrf)
    assert answer.status == 404
    assert "No such user" in answer.body
    other = api_settings("admin@other-merchant.test", "other-merchant")
    assert frequency_of(other, "admin@other-merchant.test") == "immediate"
    body, _ = settings_page(admin)
    assert "other-merchant" not in body


class Controls(HTMLParser):
    """Every form control of a page and the labels it has (for=, or a wrapping label)."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # (name, id, inside a label)
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.depth += 1
            if found.get("for"):
                self.labelled.add(str(found["for"]))
        elif tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append((str(found.get("name")), found.get("id"), self.depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.depth -= 1


def test_every_control_of_the_section_has_a_label(console):
    body, _ = settings_page(signed_in(ADMIN))
    section = body[body.index('<section aria-labelledby="alert-contacts">') :]
    parser = Controls()
    parser.feed(section)
    assert len(parser.controls) >= 3 + 2 * 3  # three users' frequencies, two blank rows
    unlabelled = [
        name
        for name, id_, wrapped in parser.controls
        if not wrapped and (id_ is None or id_ not in parser.labelled)
    ]
    assert unlabelled == []
