"""The local stack's JWT authorizer refuses what API Gateway's refuses: a bad signature, another
issuer or audience, an expired token; and passes the claims on as strings, as payload 2.0 does."""

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from local.jwt_authorizer import JwtAuthorizer

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT = "client-1"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})


def token(key: RSAKey = KEY, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "u-1",
        "token_use": "id",
        "custom:merchant_id": "demo-merchant",
        "cognito:groups": ["admin", "operator"],
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        **changes,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


@pytest.fixture
def authorizer() -> JwtAuthorizer:
    checker = JwtAuthorizer(ISSUER, [CLIENT], "http://127.0.0.1:1")
    checker._keys = (time.monotonic(), KeySet([RSAKey.import_key(KEY.as_dict(private=False))]))
    return checker


def test_a_valid_id_token_passes_its_claims_as_strings(authorizer):
    claims = authorizer.claims(f"Bearer {token()}")
    assert claims is not None
    assert claims["sub"] == "u-1"
    assert claims["custom:merchant_id"] == "demo-merchant"
    assert claims["cognito:groups"] == "[admin operator]"
    assert claims["email_verified"] == "true"
    assert claims["exp"].isdigit()


def test_the_bearer_prefix_is_optional(authorizer):
    assert authorizer.claims(token()) is not None


def test_an_access_token_is_checked_by_its_client_id(authorizer):
    assert authorizer.claims(token(aud=None, client_id=CLIENT, token_use="access")) is not None
    assert authorizer.claims(token(aud=None, client_id="other", token_use="access")) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"key": OTHER_KEY},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
        {"aud": "another-client"},
        {"exp": int(time.time()) - 10},
        {"exp": None},
        {"nbf": int(time.time()) + 600},
    ],
    ids=["signature", "issuer", "audience", "expired", "no-expiry", "not-yet"],
)
def test_what_api_gateway_refuses_is_refused(authorizer, bad):
    assert authorizer.claims(token(**bad)) is None


def test_a_tampered_payload_or_garbage_is_refused(authorizer):
    header, _payload, signature = token().split(".")
    forged = token(**{"custom:merchant_id": "other-merchant"}).split(".")[1]
    assert authorizer.claims(f"{header}.{forged}.{signature}") is None
    assert authorizer.claims("osk_demo_local_credential") is None
    assert authorizer.claims("") is None
    assert authorizer.claims(None) is None
