"""The unsubscribe page: GET asks (mail scanners open links), POST turns the recipient's
emails off: alert emails and digests, or, from the daily report's link, that report. No
sign-in and no CSRF token: RFC 8058's one-click POST comes from the mail provider, and the
worst a forged one does is stop emails the link already could."""

from aws_lambda_powertools.event_handler import Response

from ordersync.notifications import tokens
from ordersync.notifications.tokens import Grant, TokenRefused
from ordersync.notifications.unsubscribe import unsubscribe
from ordersync.reports.store import ReportStore
from ordersync.web.pages import page, refused

PURPOSES = (tokens.UNSUBSCRIBE, tokens.REPORT_UNSUBSCRIBE)


def show(token: str) -> Response[str]:
    try:
        grant = tokens.check(token, PURPOSES)
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    return _page(grant, done=False)


def act(token: str) -> Response[str]:
    try:
        grant = tokens.check(token, PURPOSES)
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    if grant.purpose == tokens.REPORT_UNSUBSCRIBE and grant.sent_to:
        ReportStore().remove_recipient(grant.merchant_id, grant.sent_to)
    elif grant.recipient is not None:
        unsubscribe(grant.merchant_id, grant.recipient)
    return _page(grant, done=True)


def _page(grant: Grant, done: bool) -> Response[str]:
    email = grant.recipient.email if grant.recipient else grant.sent_to or ""
    report = grant.purpose == tokens.REPORT_UNSUBSCRIBE
    return page("unsubscribe.html", email=email, done=done, report=report)
