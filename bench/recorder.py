"""What the local stack did, by actor (a function's logical id, the SQS poller, or a scheduled
function), as `bench.instrument`'s hooks report it: `Counts`, and the `Recorder` that knows
which function is running on the current thread and counts for it.
"""

import contextvars
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.dynamo_meter import DynamoMeter, Usage
from bench.dynamo_units import TableShape
from bench.required_permissions import Names, requirements

POLLER = "EventSourceMapping"
SCHEDULED = "scheduled:"


@dataclass
class Counts:
    """What happened, by actor (a function's logical id, or POLLER)."""

    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    read_units: Counter[tuple[str, str]] = field(default_factory=Counter)
    write_units: Counter[tuple[str, str]] = field(default_factory=Counter)
    index_write_units: Counter[tuple[str, str]] = field(default_factory=Counter)
    invocations: Counter[str] = field(default_factory=Counter)
    durations_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    platform_calls: Counter[str] = field(default_factory=Counter)
    log_bytes: Counter[str] = field(default_factory=Counter)
    empty_receives: int = 0
    # Invocations that raised: (function, error type, message, the stack's last lines).
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)
    # Each DynamoDB write: who, what, which table, item bytes before/after, table and index units.
    writes: list[tuple[str, str, str, int, int, int, int]] = field(default_factory=list)
    # Each request as the permissions it needs: (function, service, operation, action, resource).
    calls: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)


class Recorder:
    def __init__(self, stack: Any, shapes: dict[str, TableShape]) -> None:
        self.stack = stack
        self.counts = Counts()
        self.active = 0
        self._lock = threading.Lock()
        # A context variable, not a thread-local: work a handler hands to a thread pool in a
        # copy of its context (ordersync.actions.bulk) is still put down to the handler.
        self._actor: contextvars.ContextVar[str | None] = contextvars.ContextVar(
            "actor", default=None
        )
        self._meter = DynamoMeter(
            {stack.resources[logical]: shape for logical, shape in shapes.items()}
        )
        types = {
            name: resource["Type"] for name, resource in stack.template.sam["Resources"].items()
        }
        self._names = Names(stack.resources, types)

    # ---------------------------------------------------------------- who is calling
    def actor(self) -> str | None:
        current = self._actor.get()
        if current is None and threading.current_thread().name.startswith("poller-"):
            return POLLER
        return current

    @contextmanager
    def acting(self, actor: str) -> Iterator[None]:
        token = self._actor.set(actor)
        busy = not actor.startswith(SCHEDULED)  # a sweep is not an operation's work
        with self._lock:
            self.active += busy
        try:
            yield
        finally:
            self._actor.reset(token)
            with self._lock:
                self.active -= busy

    def signer(self, actor: str) -> str:
        """The function whose role a request of `actor` is made with."""
        if actor == POLLER:  # thread "poller-<function>-<n>": the function's event-source mapping
            return threading.current_thread().name.removeprefix("poller-").rsplit("-", 1)[0]
        return actor.removeprefix(SCHEDULED)

    def reset(self) -> Counts:
        with self._lock:
            counts, self.counts = self.counts, Counts()
        return counts

    # ---------------------------------------------------------------- counting
    def permissions(self, actor: str, service: str, operation: str, params: Any) -> None:
        function = self.signer(actor)
        needed = [
            (function, service, operation, action, self._names.arn(resource))
            for action, resource in requirements(service, operation, params)
        ]
        with self._lock:
            self.counts.calls.update(needed)

    def invoked(self, actor: str, elapsed_ms: float) -> None:
        with self._lock:
            self.counts.invocations[actor] += 1
            self.counts.durations_ms[actor].append(elapsed_ms)

    def failed(self, actor: str, document: dict[str, Any]) -> None:
        with self._lock:
            self.counts.errors.append(
                (
                    actor,
                    document["errorType"],
                    document["errorMessage"][:300],
                    "".join(document["stackTrace"])[-1200:],
                )
            )

    def requested(self, actor: str, service: str, operation: str, response: Any) -> None:
        """A request other than DynamoDB's (those are `dynamodb`)."""
        with self._lock:
            if actor == POLLER and operation == "ReceiveMessage" and not response.get("Messages"):
                self.counts.empty_receives += 1
            else:
                self.counts.requests[(actor, service, operation)] += 1

    def dynamodb(
        self, actor: str, operation: str, params: dict[str, Any], send: Callable[[], Any]
    ) -> Any:
        """Make a DynamoDB request (`send`) and count it with the units it used."""

        def record(usage: Usage) -> None:
            with self._lock:
                self.counts.requests[(actor, "dynamodb", operation)] += 1
                for table, units in usage.reads:
                    self.counts.read_units[(actor, table)] += units
                for name, cost, (old, new) in usage.writes:
                    self.counts.write_units[(actor, name)] += cost.table_units
                    self.counts.index_write_units[(actor, name)] += cost.index_units
                    self.counts.writes.append(
                        (actor, operation, name, old, new, cost.table_units, cost.index_units)
                    )

        return self._meter.call(operation, params, send, record)

    def platform_call(self, actor: str) -> None:
        with self._lock:
            self.counts.platform_calls[actor] += 1

    def log(self, text: str) -> None:
        actor = self.actor()
        if actor is not None and actor != POLLER:
            with self._lock:
                self.counts.log_bytes[actor] += len(text.encode())
