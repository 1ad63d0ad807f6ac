"""CSRF for the resolve page's forms: a random value in an HttpOnly, SameSite=Strict cookie,
and in each form the HMAC of that value keyed with the link's token hash. A request from
another site carries neither a matching cookie nor the token, so it cannot act."""

import hashlib
import hmac
import secrets

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

COOKIE = "resolve_csrf"


def _mac(key_hex: str, nonce: str) -> str:
    return hmac.new(bytes.fromhex(key_hex), nonce.encode(), hashlib.sha256).hexdigest()


def issue(key_hex: str, secure: bool) -> tuple[Cookie, str]:
    """A fresh cookie and the form value that goes with it."""
    nonce = secrets.token_urlsafe(32)
    cookie = Cookie(
        name=COOKIE,
        value=nonce,
        path="/resolve/",
        secure=secure,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=3600,
    )
    return cookie, _mac(key_hex, nonce)


def valid(key_hex: str, cookies: list[str], form_value: str) -> bool:
    nonces = [c.split("=", 1)[1] for c in cookies if c.startswith(f"{COOKIE}=")]
    return any(hmac.compare_digest(_mac(key_hex, nonce), form_value) for nonce in nonces)
