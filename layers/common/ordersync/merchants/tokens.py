"""Checking a merchant user's token as API Gateway's JWT authorizer does: the RS256 signature
against the user pool's published keys (JWKS), then `iss`, `exp` (and `nbf`, `iat` when present)
and the audience (`aud`, or `client_id` for an access token). The console checks the id token in
its session cookie with this; the local stack's front door checks bearer tokens with it.

The signature is cryptography's RSA (PKCS#1 v1.5 with SHA-256, RFC 7518 3.3), called directly: a
JOSE library imports every key type, JWE and X.509 with it (joserfc about 33 ms CPU of each
console cold start, against 6 for RSA alone), for the one algorithm a user pool signs with. What
is left around it is the compact form's three base64url parts and the claims, below."""

import base64
import json
import math
import re
import threading
import time
from typing import Any, TypeGuard
from urllib.parse import urlparse
from urllib.request import urlopen

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers
from cryptography.hazmat.primitives.hashes import SHA256

JWKS_CACHE_SECONDS = 3600
# An unknown key id refetches the keys, at most this often (a flood of made-up key ids must not
# become a flood of JWKS requests).
JWKS_REFRESH_SECONDS = 60
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

KeySet = dict[str, RSAPublicKey]  # by key id


def pool_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def _b64url(part: str) -> bytes:
    """Unpadded base64url (RFC 7515 2); anything else is not a token."""
    if not BASE64URL.fullmatch(part) or len(part) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _uint(part: str) -> int:
    return int.from_bytes(_b64url(part), "big")


def key_set(document: dict[str, Any]) -> KeySet:
    """The RS256 signing keys of a JWKS document (RFC 7517), by key id; other keys are left out,
    since no token this verifier accepts can name them."""
    keys: KeySet = {}
    for jwk in document.get("keys", []):
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        kind = (jwk.get("kty"), jwk.get("use", "sig"), jwk.get("alg", "RS256"))
        if kind != ("RSA", "sig", "RS256"):
            continue
        try:
            keys[jwk["kid"]] = RSAPublicNumbers(_uint(jwk["e"]), _uint(jwk["n"])).public_key()
        except (KeyError, TypeError, ValueError):  # a malformed key verifies nothing
            continue
    return keys


def _numeric_date(value: object) -> TypeGuard[int | float]:
    """A JSON number that is a time (RFC 7519 2): NaN never expires, a boolean is no date."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _json_object(part: str) -> dict[str, Any]:
    found = json.loads(_b64url(part))
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


class TokenVerifier:
    """Verifies tokens of one issuer for a set of audiences; the keys are fetched once an hour
    (a pool's keys rotate rarely, and a token signed by a new key refetches them)."""

    def __init__(self, issuer: str, audience: list[str], jwks_origin: str | None = None) -> None:
        self.issuer = issuer
        self.audience = set(audience)
        # Cognito serves {issuer}/.well-known/jwks.json; moto serves it on its own origin.
        origin = jwks_origin or f"{urlparse(issuer).scheme}://{urlparse(issuer).netloc}"
        self.jwks_url = f"{origin}{urlparse(issuer).path}/.well-known/jwks.json"
        self._keys: tuple[float, KeySet] | None = None
        self._lock = threading.Lock()

    def use_keys(self, document: dict[str, Any]) -> None:
        """Take these keys as if just fetched (the in-process stack serves no JWKS URL)."""
        with self._lock:
            self._keys = (time.monotonic(), key_set(document))

    def _key(self, kid: str) -> RSAPublicKey | None:
        with self._lock:
            age = time.monotonic() - self._keys[0] if self._keys else None
            refresh = self._keys is not None and kid not in self._keys[1]
            if age is None or age > JWKS_CACHE_SECONDS or (refresh and age > JWKS_REFRESH_SECONDS):
                # The standard library's client, not httpx: botocore has imported it already,
                # and httpx would add about 15 ms CPU to the console's cold start for one fetch
                # an hour. urlopen raises HTTPError for a 4xx or 5xx answer.
                with urlopen(self.jwks_url, timeout=10) as answer:
                    document = json.load(answer)
                self._keys = (time.monotonic(), key_set(document))
            assert self._keys is not None
            return self._keys[1].get(kid)

    def verify(self, token: str) -> dict[str, Any] | None:
        """The token's claims if it is valid for this issuer and audience, else None."""
        try:
            claims = self._signed_claims(token)
        # JSON's, base64's and UTF-8's errors are ValueErrors; OSError: the JWKS could not be read.
        except (InvalidSignature, ValueError, OSError):
            return None
        if claims is None or not self._claims_hold(claims):
            return None
        return claims

    def _signed_claims(self, token: str) -> dict[str, Any] | None:
        """The payload of a compact JWS (RFC 7515 7.1) signed RS256 by one of the pool's keys."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        header = _json_object(parts[0])
        # Only RS256, whatever the header asks (no "none", no HMAC keyed with a public key), and
        # no critical extension, since none is understood here (RFC 7515 4.1.11).
        if header.get("alg") != "RS256" or "crit" in header:
            return None
        if not isinstance(header.get("kid"), str):
            return None
        key = self._key(header["kid"])
        if key is None:
            return None
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        key.verify(_b64url(parts[2]), signed, PKCS1v15(), SHA256())
        return _json_object(parts[1])

    def _claims_hold(self, claims: dict[str, Any]) -> bool:
        """RFC 7519 4.1, as API Gateway checks them: no leeway."""
        now = int(time.time())
        if claims.get("iss") != self.issuer:
            return False
        expires = claims.get("exp")
        if not _numeric_date(expires) or expires <= now:
            return False
        for not_after_now in ("nbf", "iat"):
            if not_after_now in claims:
                value = claims[not_after_now]
                if not _numeric_date(value) or value > now:
                    return False
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        return any(isinstance(found, str) and found in self.audience for found in audiences)
