"""API Gateway's JWT authorizer, as the front door runs it for the routes that name one: the
token from the identity source (a "Bearer " prefix is optional), its signature checked against
the issuer's JWKS, then `iss`, `aud` (or `client_id` when there is no `aud`), `exp`, `nbf` and
`iat`. Anything wrong is 401. The claims reach the function as payload 2.0 puts them:
requestContext.authorizer.jwt.claims, every value a string ("[admin]" for a list)."""

import json
import threading
import time
from typing import Any
from urllib.parse import urlparse

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

JWKS_CACHE_SECONDS = 3600


class JwtAuthorizer:
    def __init__(self, issuer: str, audience: list[str], jwks_origin: str) -> None:
        self.issuer = issuer
        self.audience = set(audience)
        # API Gateway fetches {issuer}/.well-known/jwks.json; moto serves it on its own origin.
        self.jwks_url = f"{jwks_origin}{urlparse(issuer).path}/.well-known/jwks.json"
        self._keys: tuple[float, KeySet] | None = None
        self._lock = threading.Lock()

    def _key_set(self) -> KeySet:
        with self._lock:
            if self._keys is None or time.monotonic() - self._keys[0] > JWKS_CACHE_SECONDS:
                document = httpx.get(self.jwks_url, timeout=10).raise_for_status().json()
                self._keys = (time.monotonic(), KeySet.import_key_set(document))
            return self._keys[1]

    def claims(self, header: str | None) -> dict[str, str] | None:
        """The token's claims as API Gateway passes them on, or None: answer 401."""
        if not header:
            return None
        token = header.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            decoded = jwt.decode(token, self._key_set(), algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, KeyError, TypeError):
            return None
        claims = decoded.claims
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        audiences = set(audience) if isinstance(audience, list) else {audience}
        if not audiences & self.audience:
            return None
        return {name: _as_string(value) for name, value in claims.items()}


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_as_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
