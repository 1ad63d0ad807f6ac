"""API Gateway's JWT authorizer, as the front door runs it for the routes that name one: the
token from the identity source (a "Bearer " prefix is optional), checked by the package's
verifier (`ordersync.merchants.tokens`: signature against the issuer's JWKS, then `iss`, `aud`
or `client_id`, `exp`, `nbf`, `iat`). Anything wrong is 401. The claims reach the function as
payload 2.0 puts them: requestContext.authorizer.jwt.claims, every value a string ("[admin]"
for a list)."""

import json
from typing import Any

from ordersync.merchants.tokens import TokenVerifier


class JwtAuthorizer(TokenVerifier):
    def claims(self, header: str | None) -> dict[str, str] | None:
        """The token's claims as API Gateway passes them on, or None: answer 401."""
        if not header:
            return None
        token = header.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        claims = self.verify(token)
        if claims is None:
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
