"""A simulated merchant platform (ERP / back office) whose faults can be dialled up.

It applies each order effect at most once per idempotency key, and counts effects per order so
a test can prove that nothing was applied twice.

Its state and the faults it can be given: local/platform_state.py. Its confirmations of
operations it accepted for later: local/platform_confirmations.py.
"""

import contextlib
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlparse

from local.platform_confirmations import confirm_later
from local.platform_state import MAX_FAULT_SLEEP_SECONDS, PlatformState

DEMO_TOKEN = "demo-platform-token"
DEMO_CALLBACK_SECRET = "demo-callback-secret"
DEMO_VERIFICATION_SECRET = "demo-verification-secret"


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

    def do_GET(self) -> None:
        state = self.server.state
        path = urlparse(self.path).path
        if path == "/_platform/stats":
            return self._send(200, state.stats())
        if path == "/_platform/faults":
            return self._send(200, {"faults": state.faults, "rates": state.rates})
        if path == "/_platform/callbacks":
            return self._send(
                200, {"callbacks": state.callbacks, "confirmations": self.server.confirmations}
            )
        if not self._authorised():
            return None
        if path.startswith("/orders/"):
            order = state.orders.get(unquote(path.removeprefix("/orders/")))
            return (
                self._send(200, order) if order else self._send(404, {"message": "no such order"})
            )
        if path.startswith("/customers/"):
            customer = state.customers.get(unquote(path.removeprefix("/customers/")))
            return (
                self._send(200, customer)
                if customer
                else self._send(404, {"message": "no such customer"})
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
        raw = self._raw()
        body = json.loads(raw) if raw else {}
        if path == "/_platform/faults":
            with state.lock:
                state.faults.extend(body.get("faults", []))
                if "rates" in body:
                    state.rates = dict(body["rates"])
                    state.random = random.Random(body.get("seed", 0))
                    state.timeout_seconds = float(body.get("timeoutSeconds", 12))
            return self._send(200, {"faults": state.faults, "rates": state.rates})
        if path == "/_platform/reset":
            state.reset()
            return self._send(200, {"reset": True})
        if path == "/callbacks":
            return self._callback(raw, body)
        if not self._authorised():
            return None
        if path == "/orders":
            order_id = str(body.get("externalId") or body.get("orderId") or "")
            return self._operate("create", order_id, path, body)
        if path == "/customers":
            return self._operate("customer", str(body.get("email", "")), path, body)
        parts = path.strip("/").split("/")
        if (
            len(parts) == 3
            and parts[0] == "orders"
            and parts[2] in ("cancel", "invoices", "shipments", "refunds")
        ):
            return self._operate(parts[2], unquote(parts[1]), path, body)
        return self._send(404, {"message": "not found"})

    def do_PUT(self) -> None:
        path = urlparse(self.path).path
        raw = self._raw()
        body = json.loads(raw) if raw else {}
        if not self._authorised():
            return None
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("orders", "customers"):
            return self._operate(f"update-{parts[0]}", unquote(parts[1]), path, body)
        return self._send(404, {"message": "not found"})

    def _raw(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self._send(401, {"message": "invalid token", "code": "AUTH"})
            return False
        return True

    def _callback(self, raw: bytes, body: dict[str, Any]) -> None:
        from ordersync.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

        fault = self.server.state.take_fault("/callbacks", body.get("orderId"))
        if fault and fault["kind"] == "status":
            return self._send(int(fault.get("status", 500)), {"message": "callback failed"})
        verified = verify(
            self.server.callback_secret,
            self.command,
            urlparse(self.path).path,
            self.headers.get(TIMESTAMP_HEADER, ""),
            raw,
            self.headers.get(SIGNATURE_HEADER, ""),
        )
        with self.server.state.lock:
            self.server.state.callbacks.append({"body": body, "verified": verified})
        if not verified:
            return self._send(401, {"message": "bad signature"})
        return self._send(200, {"received": True})

    def _operate(self, kind: str, order_id: str, path: str, body: dict[str, Any]) -> None:
        state = self.server.state
        key = self.headers.get("Idempotency-Key")
        fault = state.take_fault(path, order_id)
        fault_kind = fault["kind"] if fault else None
        if fault_kind in ("timeout", "slow"):
            time.sleep(min(float(fault.get("seconds", 12)), MAX_FAULT_SLEEP_SECONDS))  # type: ignore[union-attr]
            if fault_kind == "timeout":
                # The connector has usually given up and hung up by now; that is the fault.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(504, {"message": "gateway timeout"})
                return None
        if fault_kind == "status":
            return self._send(int(fault.get("status", 500)), {"message": "internal error"})  # type: ignore[union-attr]
        if fault_kind == "rate_limit":
            return self._send(
                429, {"message": "slow down"}, {"Retry-After": str(fault.get("retryAfter", 1))}
            )  # type: ignore[union-attr]
        if fault_kind == "reject":
            message = fault.get("message", "rejected")  # type: ignore[union-attr]
            return self._send(422, {"message": message, "code": fault.get("code", "REJECTED")})  # type: ignore[union-attr]
        if fault_kind == "answer":
            return self._send(int(fault.get("status", 200)), fault.get("body", {}))  # type: ignore[union-attr]
        status, answer = self._apply(kind, order_id, key, body, fault or {})
        if fault_kind == "accept_async" and key:
            self.server.confirm_later(key, fault or {})
        if fault_kind == "lost":
            # The effect is committed; the answer never arrives.
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        return self._send(status, answer)

    def _apply(
        self, kind: str, order_id: str, key: str | None, body: dict[str, Any], fault: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        state = self.server.state
        with state.lock:
            if key and key in state.responses_by_key:
                return state.responses_by_key[key]
            result = state.effect(kind, order_id, body, fault)
            if key and 200 <= result[0] < 300:
                state.responses_by_key[key] = result
            return result


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        port: int,
        token: str = DEMO_TOKEN,
        callback_secret: str = DEMO_CALLBACK_SECRET,
        confirm_to: str | None = None,
        verification_secret: str = DEMO_VERIFICATION_SECRET,
    ) -> None:
        super().__init__(("127.0.0.1", port), PlatformHandler)
        self.state = PlatformState()
        self.token = token
        self.callback_secret = callback_secret
        self.confirm_to = confirm_to  # ordersync's base URL, for confirmations of 202s
        self.verification_secret = verification_secret
        self.confirmations: list[dict[str, Any]] = []

    def confirm_later(self, operation_id: str, fault: dict[str, Any]) -> None:
        """Post the confirmation of an accepted operation to ordersync, signed, a bit later."""
        verdict = str(fault.get("confirm", "confirmed"))
        if self.confirm_to is None or verdict == "never":
            return
        confirm_later(
            self.confirm_to,
            self.verification_secret,
            operation_id,
            {"status": verdict, "reason": fault.get("reason")},
            after=min(float(fault.get("after", 1)), MAX_FAULT_SLEEP_SECONDS),
            done=lambda status: self._confirmed(operation_id, status),
        )

    def _confirmed(self, operation_id: str, status: int) -> None:
        with self.state.lock:
            self.confirmations.append({"operationId": operation_id, "status": status})

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="platform", daemon=True)
        thread.start()
        return thread
