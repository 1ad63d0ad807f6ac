"""The verifier checks the compact form itself around cryptography's RSA: what a JOSE library
would refuse, it refuses (tokens signed here by joserfc, as a user pool signs them)."""

import base64
import hashlib
import hmac
import io
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ordersync.merchants import tokens
from ordersync.merchants.tokens import TokenVerifier

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
NEW_KEY = RSAKey.generate_key(2048, parameters={"kid": "k2"})


def jwks(*keys: RSAKey) -> dict:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def claims(**changes) -> dict:
    now = int(time.time())
    found = {"iss": ISSUER, "aud": "client-1", "sub": "u-1", "iat": now, "exp": now + 600}
    return {name: value for name, value in {**found, **changes}.items() if value is not None}


def signed(key: RSAKey = KEY, header: dict | None = None, **changes) -> str:
    return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, claims(**changes), key)


def part(value: dict | bytes) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def raw(header: dict, payload: bytes) -> str:
    """Signed with the pool's key over what joserfc would not sign: only the content is wrong."""
    private = KEY.private_key
    assert private is not None
    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{part(private.sign(signing_input.encode(), PKCS1v15(), SHA256()))}"


@pytest.fixture
def verifier() -> TokenVerifier:
    checker = TokenVerifier(ISSUER, ["client-1"], jwks_origin="http://127.0.0.1:1")
    checker._keys = (time.monotonic(), KeySet.import_key_set(jwks(KEY)))
    return checker


def test_a_token_the_pool_signed_gives_its_claims(verifier):
    found = verifier.verify(signed())
    assert found is not None
    assert found["sub"] == "u-1"


def test_only_rs256_is_accepted_whatever_the_header_asks(verifier):
    _header, payload, signature = signed().split(".")
    unsigned = f"{part({'alg': 'none', 'kid': 'k1'})}.{payload}."
    # HS256 keyed with what is public (the key's modulus): the classic algorithm confusion.
    secret = KEY.as_dict(private=False)["n"].encode()
    hs_head = part({"alg": "HS256", "kid": "k1"})
    mac = hmac.new(secret, f"{hs_head}.{payload}".encode(), hashlib.sha256).digest()
    assert verifier.verify(unsigned) is None
    assert verifier.verify(f"{hs_head}.{payload}.{part(mac)}") is None
    # The right signature under a header that names another algorithm is refused too.
    assert verifier.verify(f"{part({'alg': 'RS512', 'kid': 'k1'})}.{payload}.{signature}") is None


def test_a_critical_extension_is_refused(verifier):
    payload = json.dumps(claims()).encode()
    assert verifier.verify(raw({"alg": "RS256", "kid": "k1"}, payload)) is not None
    assert (
        verifier.verify(raw({"alg": "RS256", "kid": "k1", "crit": ["x"], "x": 1}, payload)) is None
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda h, p, s: f"{h}.{p}",
        lambda h, p, s: f"{h}.{p}.{s}.{s}",
        lambda h, p, s: f"{h}.{p}.{s}==",
        lambda h, p, s: f"{h}.{p}.{s[:-2]}+/",
        lambda h, p, s: f"{h}.{part(b'[1, 2]')}.{s}",
        lambda h, p, s: f"{part(b'not json')}.{p}.{s}",
        lambda h, p, s: f"{h}.{p}.{s[:-4]}AAAA",
    ],
    ids=["two-parts", "four-parts", "padded", "not-base64url", "array", "not-json", "signature"],
)
def test_what_is_not_a_compact_rs256_token_is_refused(verifier, mangle):
    assert verifier.verify(mangle(*signed().split("."))) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": True},
        {"exp": "9999999999"},
        {"iat": int(time.time()) + 600},
        {"nbf": "0"},
        {"iss": None},
        {"aud": [{"client-1": 1}]},
        {"aud": None},
    ],
    ids=[
        "exp-boolean",
        "exp-string",
        "issued-in-the-future",
        "nbf-string",
        "no-iss",
        "aud-odd",
        "no-aud",
    ],
)
def test_claims_that_are_not_dates_or_not_ours_are_refused(verifier, changes):
    assert verifier.verify(signed(**changes)) is None


def test_an_exp_of_nan_never_counts_as_unexpired(verifier):
    """Python's json reads NaN, and every comparison with NaN is false."""
    payload = json.dumps(claims(exp=float("nan"))).encode()
    assert verifier.verify(raw({"alg": "RS256", "kid": "k1"}, payload)) is None


def test_an_audience_list_naming_the_client_passes(verifier):
    assert verifier.verify(signed(aud=["other", "client-1"])) is not None


class Jwks:
    """What urlopen returns: the pool's current keys, counting the fetches."""

    def __init__(self, document: dict) -> None:
        self.document, self.fetches = document, 0

    def __call__(self, url: str, timeout: float) -> io.BytesIO:
        self.fetches += 1
        return io.BytesIO(json.dumps(self.document).encode())


def test_a_new_key_id_refetches_the_keys_at_most_once_a_minute(verifier, monkeypatch):
    served = Jwks(jwks(KEY, NEW_KEY))
    monkeypatch.setattr(tokens, "urlopen", served)
    # Just fetched: an unknown key id does not refetch yet (a flood of made-up ids is no flood).
    assert verifier.verify(signed(NEW_KEY)) is None
    assert served.fetches == 0
    assert verifier._keys is not None
    verifier._keys = (verifier._keys[0] - tokens.JWKS_REFRESH_SECONDS - 1, verifier._keys[1])
    assert verifier.verify(signed(NEW_KEY)) is not None
    assert served.fetches == 1
    assert verifier.verify(signed(header={"alg": "RS256", "kid": "made-up"})) is None
    assert served.fetches == 1


def test_the_first_token_fetches_the_keys_and_an_unreachable_pool_refuses(monkeypatch):
    served = Jwks(jwks(KEY))
    monkeypatch.setattr(tokens, "urlopen", served)
    checker = TokenVerifier(ISSUER, ["client-1"])
    assert checker.jwks_url == f"{ISSUER}/.well-known/jwks.json"
    assert checker.verify(signed()) is not None
    assert served.fetches == 1

    def unreachable(url: str, timeout: float) -> io.BytesIO:
        raise OSError("connection refused")

    monkeypatch.setattr(tokens, "urlopen", unreachable)
    assert TokenVerifier(ISSUER, ["client-1"]).verify(signed()) is None
