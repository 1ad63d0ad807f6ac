"""What `python -m bench.calls` does in the merchant console, as a browser would: an operator
signs in, reads the overview, the lists and a failed order's page, retries it and ignores
every alert matching a filter; an admin grants a user a permission, invites another and sets
a user's alert email frequency."""

import re
from typing import Any

import httpx

from bench.calls_driver import Driver

PASSWORD = "ordersync-local"


class ConsoleBrowser:
    """httpx with a cookie jar of its own: the console's cookies are Secure, which httpx's jar
    (rightly) keeps from a plain-HTTP local stack."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=f"{url}/console", timeout=60)
        self.jar: dict[str, str] = {}

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        cookie = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        answer = self.http.request(method, path, headers={"Cookie": cookie}, **kwargs)
        for raw in answer.headers.get_list("set-cookie"):
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in raw:
                self.jar[name] = value
            else:
                self.jar.pop(name, None)
        if answer.status_code >= 400:
            raise RuntimeError(f"console {method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer

    def sign_in(self, email: str) -> None:
        form = self.send("GET", "/sign-in")
        answer = self.send(
            "POST",
            "/sign-in",
            data={"email": email, "password": PASSWORD, "csrf": csrf_of(form.text)},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"console sign-in of {email}: {answer.status_code}")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found[1]


def console(run: Driver, order: str) -> None:
    """`order` has failed and waits for a person."""
    operator = ConsoleBrowser(run.stack.url)
    operator.sign_in("operator@demo-merchant.test")
    for path in ("/overview", "/alerts?view=triage", "/orders?status=failed", "/history"):
        operator.send("GET", path)
    listed = operator.send(
        "GET", "/alerts", params={"identifier": order, "columns": "orderId,feedId,attempts"}
    )
    found = re.search(r'href="/console/alerts/([A-Za-z0-9_-]+)"', listed.text)
    if found is None:
        raise RuntimeError(f"the console does not list {order}")
    page = operator.send("GET", f"/alerts/{found[1]}")
    operator.send(
        "POST", f"/alerts/{found[1]}/act", data={"action": "retry", "csrf": csrf_of(page.text)}
    )
    # One row (the driver's threshold) is the file itself; every alert is a job.
    operator.send("GET", "/export", params={"identifier": order, "format": "xlsx"})
    job = operator.send("GET", "/export", params={"format": "csv"})
    if "/console/exports/" not in job.headers.get("location", ""):
        raise RuntimeError(f"a large console export did not become a job: {job.status_code}")
    operator.send("GET", job.headers["location"].removeprefix("/console"))
    operator.send(
        "POST",
        "/bulk",
        data={
            "action": "ignore",
            "scope": "matching",
            "filter.identifier": order,
            "csrf": csrf_of(page.text),
        },
    )
    admin = ConsoleBrowser(run.stack.url)
    admin.sign_in("admin@demo-merchant.test")
    settings = admin.send("GET", "/settings")
    admin.send(
        "POST",
        "/settings/users",
        data={
            "email": f"console-{run.tag}@demo-merchant.test",
            "role": "viewer",
            "csrf": csrf_of(settings.text),
        },
    )
    user = re.search(
        r'settings/users/([^"]+)"[^>]*>\s*<input[^>]*>\s*<fieldset>\s*<legend>viewer@',
        settings.text,
    )
    if user:
        admin.send(
            "POST",
            f"/settings/users/{user[1]}",
            data={"role": "operator", "csrf": csrf_of(settings.text)},
        )
    contact = re.search(r'settings/contacts/users/([^"]+)"', settings.text)
    if contact is None:
        raise RuntimeError("the settings page has no alert contacts section")
    admin.send(
        "POST",
        f"/settings/contacts/users/{contact[1]}",
        data={"frequency": "daily", "csrf": csrf_of(settings.text)},
    )
    # The form as the page shows it now (after the changes above).
    admin.send("POST", "/sign-out", data={"csrf": csrf_of(admin.send("GET", "/settings").text)})
