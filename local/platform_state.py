"""What the simulated platform holds: orders, customers, callbacks, the effects it applied (to
prove none was applied twice), and the faults it has been given.

Faults, set with `POST /_platform/faults` (JSON), each consumed by the next matching request:
  {"kind": "status", "status": 500}               answer with that status
  {"kind": "rate_limit", "retryAfter": 2}         429 with Retry-After
  {"kind": "timeout", "seconds": 12}              answer 504, after `seconds` (past our timeout)
  {"kind": "slow", "seconds": 1.5}                answer correctly, slowly
  {"kind": "reject", "message": "…", "code": "E42"}  422 business rejection
  {"kind": "lost"}                                apply the effect, then drop the connection
  {"kind": "accept_async", "confirm": "confirmed", "after": 1}
                                                  202: accepted; after `after` seconds the
                                                  platform posts a signed "confirmed" or
                                                  "rejected" to ordersync (or "never")
  {"kind": "hold"}                                create the order but leave it "pending"
  {"kind": "warn", "code": "SKU_NOT_FOUND", "warnings": ["MUG-9"]}   apply, answer with a warning
  {"kind": "answer", "status": 409, "body": {...}}   answer exactly this, apply nothing
Optional on each: "times" (default 1), "orderId" (only that order), "path" (prefix, e.g.
"/customers" or "/orders/WEB-1/refunds"). Callbacks posted to /callbacks are kept, with whether
their signature verified: `GET /_platform/callbacks`.
`{"rates": {"status": 0.3, ...}, "seed": 1}` applies faults at random instead, for soak runs.
"""

import random
import threading
from typing import Any

MAX_FAULT_SLEEP_SECONDS = 30.0


class PlatformState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.callbacks: list[dict[str, Any]] = []
        self.responses_by_key: dict[str, tuple[int, dict[str, Any]]] = {}
        self.effects: dict[str, int] = {}
        self.faults: list[dict[str, Any]] = []
        self.rates: dict[str, float] = {}
        self.timeout_seconds = 12.0
        self.random = random.Random(0)
        self.requests = 0
        self.sequence = 0

    def take_fault(self, path: str, order_id: str | None) -> dict[str, Any] | None:
        with self.lock:
            if path != "/callbacks":
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
                    return {
                        "kind": kind,
                        "status": 503,
                        "retryAfter": 1,
                        "seconds": self.timeout_seconds,
                    }
                draw -= rate
        return None

    def count(self, effect: str) -> None:
        self.effects[effect] = self.effects.get(effect, 0) + 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "orders": len(self.orders),
                "requests": self.requests,
                "effects": sum(self.effects.values()),
                "duplicated": sum(count - 1 for count in self.effects.values() if count > 1),
                "effectsByKey": dict(self.effects),
                "pendingFaults": len(self.faults),
                "rates": self.rates,
            }

    def effect(
        self, kind: str, order_id: str, body: dict[str, Any], fault: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Apply one request's effect (the caller holds the lock); the status and body."""
        state = self
        order = state.orders.get(order_id)
        if kind == "customer":
            if order_id in state.customers:
                return 409, {"message": "customer exists", "code": "DUPLICATE_CUSTOMER"}
            state.customers[order_id] = body
            state.count(f"customer:{order_id}")
            return 201, {"id": f"C-{len(state.customers):06d}"}
        if kind == "update-customers":
            if order_id not in state.customers:
                return 404, {"message": "no such customer"}
            state.customers[order_id] = body
            return 200, {"id": order_id}
        if kind == "create":
            if order is not None:
                return 409, {
                    "message": f"order {order_id} already exists",
                    "code": "DUPLICATE",
                    "id": order["id"],
                }
            state.sequence += 1
            status = "pending" if fault.get("kind") == "hold" else "accepted"
            order = {
                "id": f"PO-{state.sequence:06d}",
                "externalId": order_id,
                "status": status,
                "order": body,
                "invoices": [],
                "shipments": [],
                "refunds": [],
            }
            state.orders[order_id] = order
            state.count(f"create:{order_id}")
            answer: dict[str, Any] = {"id": order["id"], "status": status}
            if fault.get("kind") == "warn":
                answer |= {
                    "code": fault.get("code"),
                    "warnings": fault.get("warnings", ["check the order"]),
                }
            return (202 if fault.get("kind") == "accept_async" else 201), answer
        if order is None:
            return 404, {"message": f"no order {order_id}"}
        if kind == "update-orders":
            order["order"] = body
            state.count(f"update:{order_id}")
            return 200, {"id": order["id"], "status": order["status"]}
        if kind == "cancel":
            if order["status"] == "cancelled":
                return 409, {"message": "already cancelled", "code": "ALREADY_CANCELLED"}
            order["status"] = "cancelled"
        elif kind == "invoices":
            order["invoices"].append(body.get("invoiceNumber"))
            order["status"] = "invoiced"
        elif kind == "shipments":
            order["shipments"].append(body.get("shipmentId"))
            order["status"] = "shipped"
        elif kind == "refunds":
            if body.get("refundId") in order["refunds"]:
                return 409, {"message": "refund exists", "code": "DUPLICATE_REFUND"}
            order["refunds"].append(body.get("refundId"))
        reference = body.get("invoiceNumber") or body.get("shipmentId") or body.get("refundId")
        state.count(f"{kind}:{order_id}:{reference or ''}")
        answer = {"id": order["id"], "status": order["status"]}
        if fault.get("kind") == "warn":
            answer |= {
                "code": fault.get("code"),
                "warnings": fault.get("warnings", ["check the order"]),
            }
        return 200, answer
