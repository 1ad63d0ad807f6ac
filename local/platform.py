"""A simulated merchant platform (ERP / back office) whose faults can be dialled up.

It applies each order effect at most once per idempotency key, and counts effects per order so
a test can prove that nothing was applied twice.

Faults, set with `POST /_platform/faults` (JSON), each consumed by the next matching request:
  {"kind": "status", "status": 500}               answer with that status
  {"kind": "rate_limit", "retryAfter": 2}         429 with Retry-After
  {"kind": "timeout", "seconds": 12}              answer 504, after `seconds` (past our timeout)
  {"kind": "slow", "seconds": 1.5}                answer correctly, slowly
  {"kind": "reject", "message": "…", "code": "E42"}  422 business rejection
  {"kind": "lost"}                                apply the effect, then drop the connection
  {"kind": "accept_async"}                        202: accepted, to be confirmed later
Optional on each: "times" (default 1), "orderId" (only that order), "path" (prefix).
`{"rates": {"status": 0.3, ...}, "seed": 1}` applies faults at random instead, for soak runs.
"""

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

DEMO_TOKEN = "demo-platform-token"
MAX_FAULT_SLEEP_SECONDS = 30.0


class PlatformState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.responses_by_key: dict[str, tuple[int, dict[str, Any]]] = {}
        self.effects: dict[str, int] = {}
        self.faults: list[dict[str, Any]] = []
        self.rates: dict[str, float] = {}
        self.random = random.Random(0)
        self.requests = 0
        self.sequence = 0

    def take_fault(self, path: str, order_id: str | None) -> dict[str, Any] | None:
        with self.lock:
            self.requests += 1
            for fault in self.faults:
                if fault.get("orderId") not in (None, order_id):
                    continue
                if not path.startswith(fault.get("path", "")):
                    continue
                fault["times"] = fault.get("times", 1) - 1
                if fault["times"] <= 0:
                    self.faults.remove(fault)
                return fault
            draw = self.random.random()
            for kind, rate in self.rates.items():
                if draw < rate:
                    return {"kind": kind, "status": 503, "retryAfter": 1, "seconds": 12}
                draw -= rate
        return None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "orders": len(self.orders),
                "requests": self.requests,
                "effects": sum(self.effects.values()),
                "duplicated": sum(count - 1 for count in self.effects.values() if count > 1),
                "pendingFaults": len(self.faults),
                "rates": self.rates,
            }


class PlatformHandler(BaseHTTPRequestHandler):
    server: "PlatformServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else {}

    def do_GET(self) -> None:
        state = self.server.state
        path = urlparse(self.path).path
        if path == "/_platform/stats":
            return self._send(200, state.stats())
        if path == "/_platform/faults":
            return self._send(200, {"faults": state.faults, "rates": state.rates})
        if not self._authorised():
            return None
        if path.startswith("/orders/"):
            order = state.orders.get(path.removeprefix("/orders/"))
            return (
                self._send(200, order) if order else self._send(404, {"message": "no such order"})
            )
        return self._send(404, {"message": "not found"})

    def do_DELETE(self) -> None:
        if urlparse(self.path).path == "/_platform/faults":
            with self.server.state.lock:
                self.server.state.faults.clear()
                self.server.state.rates = {}
            return self._send(200, {"faults": []})
        return self._send(404, {"message": "not found"})

    def do_POST(self) -> None:
        state = self.server.state
        path = urlparse(self.path).path
        body = self._body()
        if path == "/_platform/faults":
            with state.lock:
                state.faults.extend(body.get("faults", []))
                if "rates" in body:
                    state.rates = dict(body["rates"])
                    state.random = random.Random(body.get("seed", 0))
            return self._send(200, {"faults": state.faults, "rates": state.rates})
        if path == "/_platform/reset":
            state.reset()
            return self._send(200, {"reset": True})
        if not self._authorised():
            return None
        if path == "/orders":
            return self._create_order(body)
        return self._send(404, {"message": "not found"})

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self._send(401, {"message": "invalid token", "code": "AUTH"})
            return False
        return True

    def _create_order(self, body: dict[str, Any]) -> None:
        state = self.server.state
        order_id = str(body.get("externalId") or body.get("orderId") or "")
        key = self.headers.get("Idempotency-Key")
        fault = state.take_fault("/orders", order_id)
        kind = fault["kind"] if fault else None
        if kind in ("timeout", "slow"):
            time.sleep(min(float(fault.get("seconds", 12)), MAX_FAULT_SLEEP_SECONDS))  # type: ignore[index]
            if kind == "timeout":
                return self._send(504, {"message": "gateway timeout"})
        if kind == "status":
            return self._send(int(fault.get("status", 500)), {"message": "internal error"})  # type: ignore[union-attr]
        if kind == "rate_limit":
            return self._send(
                429, {"message": "slow down"}, {"Retry-After": str(fault.get("retryAfter", 1))}
            )  # type: ignore[union-attr]
        if kind == "reject":
            return self._send(
                422,
                {
                    "message": fault.get("message", "order rejected"),
                    "code": fault.get("code", "REJECTED"),
                },  # type: ignore[union-attr]
            )
        status, answer = self._apply_create(
            order_id, key, body, asynchronous=kind == "accept_async"
        )
        if kind == "lost":
            # The effect is committed; the answer never arrives.
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        return self._send(status, answer)

    def _apply_create(
        self, order_id: str, key: str | None, body: dict[str, Any], *, asynchronous: bool
    ) -> tuple[int, dict[str, Any]]:
        state = self.server.state
        with state.lock:
            if key and key in state.responses_by_key:
                return state.responses_by_key[key]
            if order_id in state.orders:
                result: tuple[int, dict[str, Any]] = (
                    409,
                    {
                        "message": f"order {order_id} already exists",
                        "code": "DUPLICATE",
                        "id": state.orders[order_id]["id"],
                    },
                )
            else:
                state.sequence += 1
                order = {
                    "id": f"PO-{state.sequence:06d}",
                    "externalId": order_id,
                    "status": "accepted",
                    "order": body,
                }
                state.orders[order_id] = order
                state.effects[f"create:{order_id}"] = state.effects.get(f"create:{order_id}", 0) + 1
                result = (
                    202 if asynchronous else 201,
                    {"id": order["id"], "status": order["status"]},
                )
            if key:
                state.responses_by_key[key] = result
            return result


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, token: str = DEMO_TOKEN) -> None:
        super().__init__(("127.0.0.1", port), PlatformHandler)
        self.state = PlatformState()
        self.token = token

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="platform", daemon=True)
        thread.start()
        return thread
