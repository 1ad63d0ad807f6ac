"""HTTP delivery to a merchant platform, configured per integration, on httpx."""

import time
from typing import Any
from urllib.parse import quote

import httpx

from ordersync.catalog.platform import PlatformConnectionError, PlatformResponse, PlatformTimeout
from ordersync.config.models import Integration
from ordersync.config.secrets import secret_value
from ordersync.core.models import OperationType

_clients: dict[tuple[str, float], httpx.Client] = {}


def segment(value: str, *, safe: str = "") -> str:
    """`value` as one path segment: every reserved character percent-encoded, and a segment of
    dots only ("." or "..", which quote() leaves alone and a URL resolver would climb by)
    encoded too, so nothing a channel sends can reach another path on the platform."""
    quoted = quote(value, safe=safe)
    return quoted.replace(".", "%2E") if quoted.strip(".") == "" else quoted


def _client(integration: Integration) -> httpx.Client:
    # One pooled client per platform, kept warm across invocations of the same container.
    key = (str(integration.base_url), integration.timeout_seconds)
    client = _clients.get(key)
    if client is None:
        client = httpx.Client(
            base_url=str(integration.base_url),
            timeout=httpx.Timeout(
                integration.timeout_seconds, connect=min(5.0, integration.timeout_seconds)
            ),
            headers={"User-Agent": "ordersync/1"},
        )
        _clients[key] = client
    return client


# What a delivery function needs after its last platform call: record the answer (history,
# order state) and return. A call is given the function's time left less this, at most the
# integration's own timeout.
RESERVE_SECONDS = 3.0
# Too little to wait for an answer: the call is not made at all (nothing ambiguous is sent).
SHORTEST_CALL_SECONDS = 0.5


class PlatformConnector:
    def __init__(self, integration: Integration, deadline: float | None = None) -> None:
        """`deadline`: time.monotonic() by which the calling function must have returned (its
        Lambda context's remaining time); every call's timeout is cut to fit before it."""
        self._integration = integration
        self._deadline = deadline

    def call_timeout(self) -> float:
        """The timeout of the next call: the integration's, cut to the function's time left."""
        limit = self._integration.timeout_seconds
        if self._deadline is None:
            return limit
        return min(limit, self._deadline - time.monotonic() - RESERVE_SECONDS)

    def _auth_headers(self) -> dict[str, str]:
        auth = self._integration.auth
        if auth.kind == "none":
            return {}
        token = secret_value(auth.token_secret_arn)
        return {auth.header: f"Bearer {token}" if auth.kind == "bearer" else token}

    def _request(self, method: str, path: str, **kwargs: Any) -> PlatformResponse:
        call = f"{method} {path}"
        seconds = self.call_timeout()
        if seconds < SHORTEST_CALL_SECONDS:
            # Not sent: the function would be stopped before the answer could be recorded.
            raise PlatformConnectionError(
                f"{call}: not sent, {max(seconds, 0):.1f}s left in this attempt", ambiguous=False
            )
        try:
            response = _client(self._integration).request(
                method,
                path,
                headers={**self._auth_headers(), **kwargs.pop("headers", {})},
                timeout=httpx.Timeout(seconds, connect=min(5.0, seconds)),
                **kwargs,
            )
        except httpx.TimeoutException as error:
            raise PlatformTimeout(f"{call}: no answer within {seconds:.1f}s") from error
        except httpx.ConnectError as error:
            raise PlatformConnectionError(f"{call}: {error}", ambiguous=False) from error
        except httpx.TransportError as error:
            # Reset or closed after the request went out: the platform may have acted on it.
            raise PlatformConnectionError(f"{call}: {error}", ambiguous=True) from error
        return PlatformResponse(
            status_code=response.status_code,
            text=response.text,
            call=call,
            headers={k.lower(): v for k, v in response.headers.items()},
        )

    def send(
        self, operation: OperationType, body: dict[str, Any], *, idempotency_key: str, order_id: str
    ) -> PlatformResponse:
        path = self._integration.paths[operation].format(order_id=segment(order_id))
        return self._request("POST", path, json=body, headers={"Idempotency-Key": idempotency_key})

    def lookup_order(self, order_id: str) -> PlatformResponse:
        return self._request(
            "GET", self._integration.lookup_path.format(order_id=segment(order_id))
        )

    def update_order(
        self, order_id: str, body: dict[str, Any], *, idempotency_key: str
    ) -> PlatformResponse:
        path = self._integration.update_path.format(order_id=segment(order_id))
        return self._request("PUT", path, json=body, headers={"Idempotency-Key": idempotency_key})

    def find_customer(self, email: str) -> PlatformResponse:
        return self._request("GET", f"{self._integration.customer_path}/{segment(email, safe='@')}")

    def create_customer(
        self, customer: dict[str, Any], *, idempotency_key: str
    ) -> PlatformResponse:
        headers = {"Idempotency-Key": idempotency_key}
        return self._request(
            "POST", self._integration.customer_path, json=customer, headers=headers
        )

    def update_customer(self, email: str, customer: dict[str, Any]) -> PlatformResponse:
        path = f"{self._integration.customer_path}/{segment(email, safe='@')}"
        return self._request("PUT", path, json=customer)
