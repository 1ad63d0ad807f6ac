"""Merchant users on the local stack: signed in by moto's Cognito (real RS256 id tokens), checked
by the front door as API Gateway's JWT authorizer checks them, and kept to their own merchant."""

import base64
import json
import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from local.seed import DEMO_CREDENTIAL, OTHER_CREDENTIAL, USER_PASSWORD, USERS
from ordersync.catalog.codes import catalog

DEMO_ADMIN, OTHER_ADMIN = "admin@demo-merchant.test", "admin@other-merchant.test"


def sign_in(local_stack, email: str, password: str = USER_PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{local_stack.url}/_local/sign-in", json={"email": email, "password": password}, timeout=30
    )


def as_user(local_stack, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=local_stack.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


@pytest.fixture(scope="module")
def tokens(local_stack) -> dict[str, str]:
    found = {}
    for email in USERS:
        answer = sign_in(local_stack, email)
        assert answer.status_code == 200, answer.text
        found[email] = answer.json()["token"]
    return found


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_each_seeded_user_signs_in_and_is_who_the_seed_says(local_stack, tokens):
    for email, (merchant_id, role, permissions) in USERS.items():
        assert claims_of(tokens[email])["token_use"] == "id"
        me = as_user(local_stack, tokens[email]).get("/v1/me")
        assert me.status_code == 200, me.text
        body = me.json()
        assert (body["email"], body["merchantId"], body["role"]) == (email, merchant_id, role)
        assert body["permissions"] == permissions.model_dump(by_alias=True)
    operator = as_user(local_stack, tokens["operator@demo-merchant.test"]).get("/v1/me").json()
    assert operator["canSyncOrders"] is True


def test_a_wrong_password_is_401(local_stack):
    assert sign_in(local_stack, DEMO_ADMIN, "not-the-password").status_code == 401
    assert sign_in(local_stack, "nobody@demo-merchant.test").status_code == 401


def test_an_admin_lists_the_merchant_s_users_and_only_those(local_stack, tokens):
    demo = as_user(local_stack, tokens[DEMO_ADMIN]).get("/v1/users")
    assert demo.status_code == 200
    emails = {user["email"] for user in demo.json()["users"]}
    assert {e for e, (m, *_) in USERS.items() if m == "demo-merchant"} <= emails
    assert OTHER_ADMIN not in emails

    other = as_user(local_stack, tokens[OTHER_ADMIN]).get("/v1/users").json()["users"]
    assert [user["email"] for user in other] == [OTHER_ADMIN]
    demo_user_id = demo.json()["users"][0]["userId"]
    refused = as_user(local_stack, tokens[OTHER_ADMIN]).put(
        f"/v1/users/{demo_user_id}", json={"role": "viewer"}
    )
    assert refused.status_code == 404


def test_a_viewer_reads_only_and_cannot_invite(local_stack, tokens):
    viewer = as_user(local_stack, tokens["viewer@demo-merchant.test"])
    answer = viewer.post("/v1/users", json={"email": "x@demo-merchant.test", "role": "viewer"})
    assert answer.status_code == 403
    assert viewer.get("/v1/users").status_code == 403


def test_an_admin_invites_a_user_into_their_merchant_and_grants_them_order_sync(
    local_stack, tokens
):
    admin = as_user(local_stack, tokens[DEMO_ADMIN])
    email = f"invited-{time.time_ns()}@demo-merchant.test"
    invited = admin.post("/v1/users", json={"email": email, "role": "viewer"})
    assert invited.status_code == 201, invited.text
    user = invited.json()
    assert (user["merchantId"], user["role"]) == ("demo-merchant", "viewer")
    assert user["permissions"] == {"orderSync": False, "notifications": False}

    changed = admin.put(
        f"/v1/users/{user['userId']}",
        json={"role": "operator", "permissions": {"orderSync": True}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["permissions"]["orderSync"] is True
    assert admin.post("/v1/users", json={"email": email, "role": "viewer"}).status_code == 409


def test_a_channel_credential_is_refused_on_merchant_routes(local_stack):
    for credential in (DEMO_CREDENTIAL, OTHER_CREDENTIAL):
        answer = httpx.get(
            f"{local_stack.url}/v1/me", headers={"Authorization": f"Bearer {credential}"}
        )
        assert answer.status_code == 401
    assert httpx.get(f"{local_stack.url}/v1/me").status_code == 401


def test_a_merchant_token_is_refused_on_channel_routes(local_stack, tokens, order_request):
    admin = as_user(local_stack, tokens[DEMO_ADMIN])
    assert admin.post("/v1/orders", json=order_request).status_code in (401, 403)
    assert admin.get("/v1/operations/anything").status_code in (401, 403)


def test_a_tampered_or_expired_token_is_401(local_stack, tokens):
    token = tokens["viewer@demo-merchant.test"]
    header, _, signature = token.split(".")
    claims = {**claims_of(token), "cognito:groups": ["admin"], "custom:merchant_id": "other"}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert as_user(local_stack, f"{header}.{forged}.{signature}").get("/v1/me").status_code == 401

    # Signed with the pool's own key (moto's, in its package), but expired.
    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    expired = jwt.encode(
        {"alg": "RS256", "kid": "dummy"},
        {**claims_of(token), "exp": int(time.time()) - 60},
        key,
    )
    assert as_user(local_stack, expired).get("/v1/me").status_code == 401
    # the same key and claims, not expired: the check above failed on expiry alone
    fresh = jwt.encode({"alg": "RS256", "kid": "dummy"}, claims_of(token), key)
    assert as_user(local_stack, fresh).get("/v1/me").status_code == 200


def test_the_catalog_needs_no_credential_and_lists_every_code(local_stack):
    answer = httpx.get(f"{local_stack.url}/v1/catalog", timeout=30)
    assert answer.status_code == 200
    codes = answer.json()["codes"]
    assert [entry["code"] for entry in codes] == list(catalog())
    assert all(entry["action"] and entry["retryClass"] for entry in codes)
