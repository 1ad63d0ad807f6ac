"""The unsubscribe page: GET asks (mail scanners open links), POST turns the recipient's
emails off. No sign-in and no CSRF token: RFC 8058's one-click POST comes from the mail
provider, and the worst a forged one does is stop emails the link already could."""

from aws_lambda_powertools.event_handler import Response

from ordersync.notifications import tokens
from ordersync.notifications.tokens import Grant, TokenRefused
from ordersync.notifications.unsubscribe import unsubscribe
from ordersync.web.pages import page, refused


def show(token: str) -> Response[str]:
    try:
        grant = tokens.check(token, tokens.UNSUBSCRIBE)
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    return page("unsubscribe.html", email=_email(grant), done=False)


def act(token: str) -> Response[str]:
    try:
        grant = tokens.check(token, tokens.UNSUBSCRIBE)
    except TokenRefused as refusal:
        return refused(refusal.status, refusal.reason)
    if grant.recipient is not None:
        unsubscribe(grant.merchant_id, grant.recipient)
    return page("unsubscribe.html", email=_email(grant), done=True)


def _email(grant: Grant) -> str:
    return grant.recipient.email if grant.recipient else ""
