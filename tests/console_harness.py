"""Driving the console function in process (integration tests, on moto): payload 2.0 events in,
pages out, with a browser's cookie jar; and the merchant users it signs in as."""

import gzip
import json
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from joserfc.jwk import KeySet

from local.cognito import UserPool, create_user_pools
from local.seed import seed_merchant_users
from local.template import LocalTemplate
from ordersync.alerts import policy
from ordersync.alerts.ids import alert_id
from ordersync.catalog.codes import outcome
from ordersync.core.clock import now
from ordersync.core.models import OperationMessage
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Browser:
    """A cookie jar and the console's handler; `get`/`post` as a browser would send them."""

    jar: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, path: str, body: str | None = None, query: str = "") -> Page:
        from ordersync.console.app import handle

        headers = {"host": "console.test"}
        if body is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
        params: dict[str, str] = {}
        for name, value in (pair.split("=", 1) for pair in query.split("&") if "=" in pair):
            from urllib.parse import unquote_plus

            name, value = unquote_plus(name), unquote_plus(value)
            params[name] = f"{params[name]},{value}" if name in params else value
        event = {
            "version": "2.0",
            "routeKey": "ANY /console/{proxy+}",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "queryStringParameters": params or None,
            "requestContext": {
                "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
                "requestId": "test",
                "stage": "$default",
                "timeEpoch": int(time.time() * 1000),
            },
            "body": body,
            "isBase64Encoded": False,
        }
        if self.jar:  # payload 2.0: the request's cookies as a list
            event["cookies"] = [f"{k}={v}" for k, v in self.jar.items()]
        answer = handle(event, None)
        for raw in answer.get("cookies") or []:
            morsel = next(iter(SimpleCookie(raw).values()))
            if morsel["max-age"] in ("0", 0) or morsel.value == "":
                self.jar.pop(morsel.key, None)
            else:
                self.jar[morsel.key] = morsel.value
        return Page(
            int(answer["statusCode"]),
            dict(answer.get("headers") or {}),
            list(answer.get("cookies") or []),
            answer.get("body") or "",
        )

    def get(self, path: str, **params: str) -> Page:
        return self.send("GET", path, query=urlencode(params))

    def post(self, path: str, fields: dict[str, Any]) -> Page:
        return self.send("POST", path, body=urlencode(fields, doseq=True))

    def sign_in(self, email: str, password: str = "ordersync-local") -> Page:
        form = self.get("/console/sign-in")
        token = csrf_of(form.body)
        return self.post("/console/sign-in", {"email": email, "password": password, "csrf": token})


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def moto_key_set() -> KeySet:
    """The keys moto's Cognito signs every token with (in-process moto serves no JWKS URL)."""
    raw = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz").read_bytes()
    return KeySet.import_key_set(json.loads(gzip.decompress(raw)))


def merchant_pool(client: Any) -> UserPool:
    """The template's user pool on moto, with the seeded users and their records."""
    created = create_user_pools(
        LocalTemplate.load(), client, {"Stage": "test", "AWS::Region": "us-east-1"}
    )
    pool = UserPool(
        client, created["MerchantUserPool"]["Ref"], created["MerchantUserPoolClient"]["Ref"]
    )
    seed_merchant_users(pool)
    return pool


def message(merchant: str, n: int, operation: str = "create") -> OperationMessage:
    return OperationMessage.model_validate(
        {
            "operation_id": f"op-{merchant}-{n}",
            "operation": operation,
            "merchant_id": merchant,
            "integration_id": "demo-erp",
            "channel_id": "demo-shop",
            "order_id": f"WEB-{merchant[:4]}-{n}",
            "accepted_at": now(),
            "payload": {},
        }
    )


def fail(merchant: str, n: int, code: str = "Ship Method Mapping Missing", **facts) -> str:
    """Record a failure (alert and history) as the pipeline does; the alert's id."""
    subject = message(merchant, n)
    result = outcome(code, order_id=subject.order_id, detail="Express", **facts)
    policy.record(subject, result, next_step="waits for a person", attempts=1)
    HistoryStore().append(
        HistoryRecord(
            operation_id=subject.operation_id,
            operation=subject.operation,
            direction="demo-shop → demo-erp",
            merchant_id=merchant,
            integration_id=subject.integration_id,
            channel_id=subject.channel_id,
            identifier=subject.order_id,
            entity_key=subject.entity_key,
            attempt=1,
            outcome=result,
            content_source=f'{{"orderId": "{subject.order_id}", "note": "<script>alert(1)</script>"}}',
            content_translated=f'{{"externalId": "demo-shop.{subject.order_id}"}}',
            content_destination='{"error": "unknown ship method"}',
            created_at=now(),
        )
    )
    return alert_id(subject.entity_key)


def signed_in(email: str) -> Browser:
    browser = Browser()
    answer = browser.sign_in(email)
    assert answer.status == 303, answer.body
    assert answer.location == "/console/overview"
    return browser
