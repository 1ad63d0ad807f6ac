"""Signing in to the console and staying signed in.

Sign-in runs the app client's USER_PASSWORD_AUTH (InitiateAuth, as `/_local/sign-in` does) and
keeps the id token in a cookie that is Secure (HTTPS only), HttpOnly (no script reads it) and
SameSite=Lax (a cross-site form post does not carry it). Every request checks that token as API
Gateway's JWT authorizer would (`ordersync.merchants.tokens`), then reads the user's record:
role and permissions come from there, so a revoked grant takes effect on the next click.

CSRF: every form carries a token derived from the session's id token (a digest of it). A page
of another site can neither read the cookie nor the digest, so it cannot forge a form; no
server-side state is needed, and the token ends with the session. Sign-in itself has a form
too: before there is a session, a random value in a short-lived cookie plays the same part."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from ordersync.console.settings import console_settings
from ordersync.core import aws
from ordersync.core.settings import resettable
from ordersync.merchants import service
from ordersync.merchants.directory import MERCHANT_ATTRIBUTE
from ordersync.merchants.models import Caller, Me
from ordersync.merchants.tokens import TokenVerifier, pool_issuer

SESSION_COOKIE = "ordersync_console"
SIGN_IN_COOKIE = "ordersync_sign_in"
SESSION_SECONDS = 3600  # the id token's own validity (template.yaml: IdTokenValidity)


class SignInRefused(Exception):
    """Wrong email or password, or an account that must finish a challenge first."""


class NotSignedIn(Exception):
    """No session, or one whose token no longer checks out: sign in again."""


class BadCsrf(Exception):
    """A form without this session's CSRF token (403)."""


@dataclass(frozen=True)
class Session:
    caller: Caller
    me: Me
    csrf: str

    @property
    def can_act(self) -> bool:
        return self.me.can_sync_orders

    def action_refusal(self) -> str | None:
        """Why this user's order-sync buttons are off (None: they are on)."""
        if self.me.role == "viewer":
            return "viewers read only"
        if not self.me.permissions.order_sync:
            return "an admin has not granted you order-sync actions"
        return None


@resettable
def verifier() -> TokenVerifier:
    settings = console_settings()
    return TokenVerifier(
        pool_issuer(settings.aws_region, settings.merchant_user_pool_id),
        [settings.merchant_user_pool_client_id],
        jwks_origin=settings.aws_endpoint_url,
    )


def sign_in(email: str, password: str) -> str:
    """The user's id token, from the pool's app client."""
    client = aws.cognito_idp()
    try:
        answer = client.initiate_auth(
            ClientId=console_settings().merchant_user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except (
        client.exceptions.NotAuthorizedException,
        client.exceptions.UserNotFoundException,
        client.exceptions.InvalidParameterException,
    ) as error:
        raise SignInRefused("wrong email or password") from error
    if "AuthenticationResult" not in answer:
        # A new account's temporary password: the email invitation's own flow sets a new one.
        raise SignInRefused("this account must set its password first (see the invitation)")
    return str(answer["AuthenticationResult"]["IdToken"])


def csrf_for(id_token: str) -> str:
    digest = hashlib.sha256(b"ordersync-console-csrf:" + id_token.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def cookies(header: str | None) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except Exception:  # a malformed Cookie header is no session, not a failure
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def current(cookie_header: str | None, verify: TokenVerifier | None = None) -> Session:
    """The session the request's cookie holds; NotSignedIn if none holds up."""
    token = cookies(cookie_header).get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn("no session")
    claims = (verify or verifier()).verify(token)
    if claims is None or claims.get("token_use") != "id":
        raise NotSignedIn("the session has expired or is not valid")
    user_id, merchant_id = claims.get("sub"), claims.get(MERCHANT_ATTRIBUTE)
    if not isinstance(user_id, str) or not isinstance(merchant_id, str):
        raise NotSignedIn("the token names no merchant user")
    caller = Caller(user_id=user_id, merchant_id=merchant_id, email=str(claims.get("email", "")))
    return Session(caller=caller, me=service.me(caller), csrf=csrf_for(token))


def check_csrf(expected: str, form: dict[str, Any]) -> None:
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise BadCsrf("this form has expired or did not come from the console; reload the page")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


def cookie(name: str, value: str, max_age: int) -> Cookie:
    """Max-Age 0 ends it (signing out)."""
    return Cookie(
        name,
        value,
        path="/",
        secure=console_settings().secure_cookie,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=max_age,
    )
