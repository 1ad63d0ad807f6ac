"""Checking a merchant user's token as API Gateway's JWT authorizer does: the RS256 signature
against the user pool's published keys (JWKS), then `iss`, `exp` (and `nbf`, `iat` when present)
and the audience (`aud`, or `client_id` for an access token). The console checks the id token in
its session cookie with this; the local stack's front door checks bearer tokens with it."""

import json
import threading
import time
from typing import Any
from urllib.parse import urlparse
from urllib.request import urlopen

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

JWKS_CACHE_SECONDS = 3600
# An unknown key id refetches the keys, at most this often (a flood of made-up key ids must not
# become a flood of JWKS requests).
JWKS_REFRESH_SECONDS = 60


def pool_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


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

    def _key_set(self, refresh: bool = False) -> KeySet:
        with self._lock:
            age = time.monotonic() - self._keys[0] if self._keys else None
            if age is None or age > JWKS_CACHE_SECONDS or (refresh and age > JWKS_REFRESH_SECONDS):
                # The standard library's client, not httpx: botocore has imported it already,
                # and httpx would add about 15 ms CPU to the console's cold start for one fetch
                # an hour. urlopen raises HTTPError for a 4xx or 5xx answer.
                with urlopen(self.jwks_url, timeout=10) as answer:
                    document = json.load(answer)
                self._keys = (time.monotonic(), KeySet.import_key_set(document))
            assert self._keys is not None
            return self._keys[1]

    def verify(self, token: str) -> dict[str, Any] | None:
        """The token's claims if it is valid for this issuer and audience, else None."""
        try:
            decoded = jwt.decode(token, self._key_set(), algorithms=["RS256"])
        except InvalidKeyIdError:  # the pool may have rotated its keys since they were read
            try:
                decoded = jwt.decode(token, self._key_set(refresh=True), algorithms=["RS256"])
            except (JoseError, ValueError, KeyError, TypeError, OSError):
                return None
        except (JoseError, KeyError, TypeError, OSError):
            return None
        try:
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, KeyError, TypeError):
            return None
        claims = decoded.claims
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        audiences = set(audience) if isinstance(audience, list) else {audience}
        return dict(claims) if audiences & self.audience else None
