"""Every value the connector puts in a platform URL is one percent-encoded path segment: a "/"
cannot add a segment, and "." or ".." cannot climb (quote() leaves dots alone, and a URL
resolver removes dot segments)."""

import httpx
import pytest

from ordersync.config.models import Integration
from ordersync.core.models import OperationType
from ordersync.delivery import connector
from ordersync.delivery.connector import PlatformConnector


@pytest.fixture
def sent(monkeypatch):
    paths: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json={})

    client = httpx.Client(
        base_url="http://platform.test/api", transport=httpx.MockTransport(answer)
    )
    monkeypatch.setattr(connector, "_client", lambda integration: client)
    return paths


def platform() -> PlatformConnector:
    return PlatformConnector(
        Integration(integration_id="erp", merchant_id="m", name="ERP", base_url="http://x/api")
    )


@pytest.mark.parametrize(
    ("order_id", "segment"),
    [
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("...", "%2E%2E%2E"),
        ("a/../b", "a%2F..%2Fb"),
        ("WEB\r\n1", "WEB%0D%0A1"),
        ("shop.WEB-1", "shop.WEB-1"),
    ],
)
def test_an_order_id_is_one_segment_of_the_platform_url(sent, order_id, segment):
    platform().send(OperationType.CANCEL, {}, idempotency_key="k", order_id=order_id)
    platform().lookup_order(order_id)
    platform().update_order(order_id, {}, idempotency_key="k")
    assert sent == [
        f"/api/orders/{segment}/cancel",
        f"/api/orders/{segment}",
        f"/api/orders/{segment}",
    ]


def test_a_customer_email_is_one_segment(sent):
    platform().find_customer("../admin@example.com")
    assert sent == ["/api/customers/..%2Fadmin@example.com"]
