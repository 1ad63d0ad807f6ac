"""What `python -m bench.calls` does to reach the resolve page's every call: shipments that
fail for missing tracking (the notifier emails them, or puts them in a digest), then their
resolve links opened and acted on (a resend with the tracking filled in, and a
mark-as-synced), and an unsubscribe link. And the Unsynced Order emails: a user opted in
before the sweep flags orders, then their digest."""

import re

import httpx

from bench.call_scenarios import _signed_in
from bench.calls_driver import Driver
from local.seed import DEMO_CHANNEL, DEMO_INTEGRATION, DEMO_MERCHANT


def _failing_shipment(run: Driver, order: str) -> None:
    run.until(run.send(order, "create"), "synced")
    body = {"shipmentId": "SHP-1", "shippedAt": "2026-11-25T08:00:00Z", "carrier": "DHL"}
    answer = run.http.post(f"/v1/orders/{order}/shipment", json=body)
    if answer.status_code != 202:
        raise RuntimeError(f"shipment {order}: {answer.status_code} {answer.text}")
    run.until(answer.json()["operationId"], "failed")


def _links(run: Driver, order: str) -> dict[str, str]:
    """A resolve and an unsubscribe link for `order`'s alert, issued as the notifier issues
    them (the concurrent scenarios may have spent the contact's immediate email of this
    window, so the email itself may be due in a digest)."""
    from local.seed import ALERT_CONTACTS
    from ordersync.core.models import entity_key
    from ordersync.notifications import tokens
    from ordersync.notifications.models import Recipient

    contact = ALERT_CONTACTS[DEMO_MERCHANT]
    key = entity_key(DEMO_INTEGRATION, "order", order, channel_id=DEMO_CHANNEL)
    recipient = Recipient.of_contact(contact)
    return {
        "resolve": f"{run.stack.url}/resolve/"
        + tokens.issue_resolve(DEMO_MERCHANT, key, contact.email),
        "unsubscribe": f"{run.stack.url}/unsubscribe/"
        + tokens.issue_unsubscribe(DEMO_MERCHANT, recipient),
    }


def _act(link: str, form: dict[str, str]) -> None:
    with httpx.Client(timeout=30) as browser:
        page = browser.get(link)
        page.raise_for_status()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        if csrf is None:
            raise RuntimeError(f"no form on {link}")
        answer = browser.post(link, data={"csrf": csrf[1], **form})
        if answer.status_code != 200:
            raise RuntimeError(f"{form['action']}: {answer.status_code}")


def resolve_links(run: Driver) -> None:
    resent, marked = f"IAM-{run.tag}-E1", f"IAM-{run.tag}-E2"
    for order in (resent, marked):
        _failing_shipment(run, order)
    tracking = {"trackingNumber": "TRK-1", "trackingUrl": "https://track.example/TRK-1"}
    _act(_links(run, resent)["resolve"], {"action": "resend", **tracking})
    _act(_links(run, marked)["resolve"], {"action": "mark-synced"})


def unsubscribe(run: Driver) -> None:
    """Last: the demo contact unsubscribes (and is put back, outside any function)."""
    from local.seed import seed_alert_contacts

    order = f"IAM-{run.tag}-E3"
    _failing_shipment(run, order)
    link = _links(run, order)["unsubscribe"]
    httpx.get(link, timeout=30).raise_for_status()
    httpx.post(link, timeout=30).raise_for_status()
    seed_alert_contacts()


def digest(run: Driver) -> None:
    """A digest due in a window that has ended, and a run of the digest function: it reads
    what waits for the merchant (the concurrent scenarios left failures) and sends it."""
    from datetime import timedelta

    from local.seed import ALERT_CONTACTS
    from ordersync.core.clock import now
    from ordersync.notifications.ledger import Ledger
    from ordersync.notifications.models import Recipient

    contact = ALERT_CONTACTS[DEMO_MERCHANT]
    recipient = Recipient.of_contact(contact)
    before = len(run.stack.outbox())
    Ledger().digest_due(DEMO_MERCHANT, recipient, now() - timedelta(hours=2))
    _digest_sent(run, before, "digests", ": ordersync digest")


def opt_in(run: Driver, granted: bool = True) -> None:
    """The demo admin grants (or takes back) the operator's order-sync notification opt-in, as
    an admin does (PUT /v1/users/{id}): the sweep's flags then send Unsynced Order emails."""
    with _signed_in(run, "admin@demo-merchant.test") as admin:
        users = admin.get("/v1/users").json()["users"]
        (operator,) = [u for u in users if u["email"] == "operator@demo-merchant.test"]
        answer = admin.put(
            f"/v1/users/{operator['userId']}", json={"permissions": {"notifications": granted}}
        )
        if answer.status_code != 200:
            raise RuntimeError(f"opt-in: {answer.status_code} {answer.text}")


def unsynced_digest(run: Driver) -> None:
    """After the sweep: an unsynced-orders digest due in a window that has ended, and a run of
    the digest function, which lists the merchant's unsynced orders (the by-code index) and
    reads since when each waits. Then the opt-in is taken back."""
    from datetime import timedelta

    from ordersync.core.clock import now
    from ordersync.notifications.ledger import UNSYNCED, Ledger
    from ordersync.notifications.recipients import opted_in_users

    (recipient,) = opted_in_users(DEMO_MERCHANT)
    before = len(run.stack.outbox())
    Ledger().digest_due(DEMO_MERCHANT, recipient, now() - timedelta(hours=2), UNSYNCED)
    _digest_sent(run, before, "unsyncedDigests", ": ordersync")
    opt_in(run, granted=False)


def _digest_sent(run: Driver, before: int, counted_as: str, subject_ends: str) -> None:
    """A run of the digest function sends the digest just made due. The stack's own schedule
    runs that function every few seconds too, and may claim the digest first (each is sent
    once): then its email is in the outbox, as it is for the daily report."""
    sent = run.stack.functions.invoke("DigestFunction", {"detail-type": "Scheduled Event"})
    if sent.get(counted_as):
        return
    run.wait(
        f"a digest ({counted_as}) in the outbox",
        lambda: any(
            str(m.get("subject", "")).endswith(subject_ends) for m in run.stack.outbox()[before:]
        ),
    )


def daily_report(run: Driver) -> None:
    """An admin sets the daily report (due at once: 00:00 UTC), the report function's scheduled
    run sends it with the day's orders (the other scenarios made them), and its recipient
    stops it from the email's link."""
    from ordersync.reports.mail import SUBJECT
    from ordersync.reports.store import ReportStore

    recipient = "admin@demo-merchant.test"
    setting = {"sendTime": "00:00", "timeZone": "UTC", "scope": "all", "recipients": [recipient]}
    with _signed_in(run, recipient) as admin:
        admin.put("/v1/settings/report", json=setting).raise_for_status()
        admin.get("/v1/settings/report").raise_for_status()
    # The stack's own schedule may have sent the seeded report today already: forget that
    # (outside any function), so a scheduled run, this one or the schedule's, claims the day.
    for stored in ReportStore().every():
        if stored.merchant_id == DEMO_MERCHANT and stored.last_sent_on:
            ReportStore().give_back_day(DEMO_MERCHANT, stored.last_sent_on, None)
    run.stack.functions.invoke("ReportFunction", {"detail-type": "Scheduled Event"})

    def sent() -> list[dict[str, object]]:
        return [
            m
            for m in run.stack.outbox()
            if m.get("subject") == SUBJECT and m.get("to") == recipient
        ]

    run.wait("the daily report in the outbox", lambda: bool(sent()))
    link = re.search(r"/unsubscribe/[A-Za-z0-9_-]{43}", str(sent()[-1]))
    if link is None:
        raise RuntimeError("the daily report has no unsubscribe link")
    httpx.get(f"{run.stack.url}{link[0]}", timeout=30).raise_for_status()
    httpx.post(f"{run.stack.url}{link[0]}", timeout=30).raise_for_status()
