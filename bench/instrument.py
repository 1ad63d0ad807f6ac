"""Counting what the local stack does, by function: AWS requests (every boto3 client, whatever
session made it), DynamoDB capacity units, Lambda invocations and their durations, and calls to
the merchant's platform.

The local stack runs every handler in its own process, on the thread that invoked it: a request
is put down to the function whose invocation is running on that thread. Requests made by the
SQS pollers (Lambda's event-source mapping, which AWS bills as SQS requests) are put down to
"EventSourceMapping"; a function the schedules run (the sweeper) is put down as
"scheduled:<function>", a cost per month rather than per operation; anything else (the
benchmark's own reads, moto's Step Functions calling Lambda, which is counted as the invocation
it causes) is not counted.

Each request is also kept as the IAM permission it needs (`Counts.calls`): the function whose
role signs it (the poller's requests are the dispatcher's event-source mapping's, made with the
dispatcher's role), the action, and the resource named by its logical id
(`bench.required_permissions`).
"""

import io
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client
import httpx
from botocore.exceptions import ClientError

from bench.dynamo_units import (
    Index,
    Item,
    TableShape,
    item_size,
    read_units,
    write_cost,
)
from bench.required_permissions import Names, requirements
from local.lambdas import InvocationError

POLLER = "EventSourceMapping"
SCHEDULED = "scheduled:"
WRITES = ("PutItem", "UpdateItem", "DeleteItem")


def table_shapes(sam: dict[str, Any]) -> dict[str, TableShape]:
    """Every DynamoDB table of the template, by logical id: its keys and its global indexes."""
    shapes = {}
    for logical_id, resource in sam["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        indexes = tuple(
            Index(
                name=index["IndexName"],
                keys=tuple(key["AttributeName"] for key in index["KeySchema"]),
                projection=index["Projection"]["ProjectionType"],
                included=tuple(index["Projection"].get("NonKeyAttributes", [])),
            )
            for index in props.get("GlobalSecondaryIndexes", [])
        )
        keys = tuple(key["AttributeName"] for key in props["KeySchema"])
        shapes[logical_id] = TableShape(logical_id, keys, indexes)
    return shapes


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
        self._local = threading.local()
        self._tables = {stack.resources[logical]: shape for logical, shape in shapes.items()}
        types = {
            name: resource["Type"] for name, resource in stack.template.sam["Resources"].items()
        }
        self._names = Names(stack.resources, types)

    # ---------------------------------------------------------------- who is calling
    def actor(self) -> str | None:
        current = getattr(self._local, "actor", None)
        if current is None and threading.current_thread().name.startswith("poller-"):
            return POLLER
        return current

    @contextmanager
    def acting(self, actor: str) -> Iterator[None]:
        previous = getattr(self._local, "actor", None)
        self._local.actor = actor
        busy = not actor.startswith(SCHEDULED)  # a sweep is not an operation's work
        with self._lock:
            self.active += busy
        try:
            yield
        finally:
            self._local.actor = previous
            with self._lock:
                self.active -= busy

    def signer(self, actor: str) -> str:
        """The function whose role a request of `actor` is made with."""
        if actor == POLLER:  # thread "poller-<function>-<n>": the function's event-source mapping
            return threading.current_thread().name.removeprefix("poller-").rsplit("-", 1)[0]
        return actor.removeprefix(SCHEDULED)

    def _permissions(self, actor: str, service: str, operation: str, params: Any) -> None:
        function = self.signer(actor)
        needed = [
            (function, service, operation, action, self._names.arn(resource))
            for action, resource in requirements(service, operation, params)
        ]
        with self._lock:
            self.counts.calls.update(needed)

    def reset(self) -> Counts:
        with self._lock:
            counts, self.counts = self.counts, Counts()
        return counts

    # ---------------------------------------------------------------- installing
    def install(self) -> None:
        """Count from now on. Handlers' loggers write to sys.stdout as Lambda's do: what they
        write is counted (as CloudWatch Logs would ingest it) and dropped."""
        recorder = self
        sys.stdout = LogMeter(self)
        functions = self.stack.functions
        invoke = functions.invoke

        def timed_invoke(logical_id: str, event: Any) -> Any:
            scheduled = threading.current_thread().name.startswith("schedule-")
            actor = f"{SCHEDULED}{logical_id}" if scheduled else logical_id
            with recorder.acting(actor):
                started = time.perf_counter()
                try:
                    return invoke(logical_id, event)
                except InvocationError as error:
                    document = error.document
                    with recorder._lock:
                        recorder.counts.errors.append(
                            (
                                actor,
                                document["errorType"],
                                document["errorMessage"][:300],
                                "".join(document["stackTrace"])[-1200:],
                            )
                        )
                    raise
                finally:
                    elapsed = (time.perf_counter() - started) * 1000
                    with recorder._lock:
                        recorder.counts.invocations[actor] += 1
                        recorder.counts.durations_ms[actor].append(elapsed)

        functions.invoke = timed_invoke
        make_api_call = botocore.client.BaseClient._make_api_call

        def counted_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            actor = recorder.actor()
            if actor is None:
                return make_api_call(client, operation, params)
            service = client.meta.service_model.service_name
            recorder._permissions(actor, service, operation, params)
            if service == "dynamodb":
                return recorder._dynamodb(actor, lambda: make_api_call(client, operation, params))(
                    operation, params
                )
            response = make_api_call(client, operation, params)
            with recorder._lock:
                if (
                    actor == POLLER
                    and operation == "ReceiveMessage"
                    and not response.get("Messages")
                ):
                    recorder.counts.empty_receives += 1
                else:
                    recorder.counts.requests[(actor, service, operation)] += 1
            return response

        botocore.client.BaseClient._make_api_call = counted_call  # type: ignore[method-assign]
        handle_request = httpx.HTTPTransport.handle_request

        def counted_request(transport: Any, request: httpx.Request) -> httpx.Response:
            actor = recorder.actor()
            if actor is not None and actor != POLLER:
                with recorder._lock:
                    recorder.counts.platform_calls[actor] += 1
            return handle_request(transport, request)

        httpx.HTTPTransport.handle_request = counted_request  # type: ignore[method-assign]

    def log(self, text: str) -> None:
        actor = self.actor()
        if actor is not None and actor != POLLER:
            with self._lock:
                self.counts.log_bytes[actor] += len(text.encode())

    # ---------------------------------------------------------------- DynamoDB units
    def _stored(self, table_name: str, key: Item) -> Item | None:
        from moto.dynamodb.models import dynamodb_backends

        from local.stack import ACCOUNT, REGION

        found = dynamodb_backends[ACCOUNT][REGION].get_item(table_name, key)
        if found is None:
            return None
        attributes: Item = found.to_json()["Attributes"]
        return attributes

    def _key(self, table_name: str, item: Item) -> Item:
        shape = self._tables[table_name]
        return {name: item[name] for name in shape.keys}

    def _dynamodb(self, actor: str, call: Any) -> Any:
        def run(operation: str, params: dict[str, Any]) -> Any:
            writes = self._planned_writes(operation, params)
            before = {i: self._stored(table, key) for i, (table, key, _) in enumerate(writes)}
            applied = True
            try:
                response = call()
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                applied = False
                response = None
                raise
            finally:
                self._account(actor, operation, params, response, writes, before, applied)
            return response

        return run

    def _planned_writes(
        self, operation: str, params: dict[str, Any]
    ) -> list[tuple[str, Item, bool]]:
        """(table, key, is delete) for each item a write request touches."""
        if operation == "PutItem":
            table = params["TableName"]
            return [(table, self._key(table, params["Item"]), False)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"], operation == "DeleteItem")]
        if operation == "BatchWriteItem":
            planned = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        key = self._key(table, request["PutRequest"]["Item"])
                        planned.append((table, key, False))
                    else:
                        planned.append((table, request["DeleteRequest"]["Key"], True))
            return planned
        if operation == "TransactWriteItems":
            planned = []
            for entry in params["TransactItems"]:
                ((kind, detail),) = entry.items()
                if kind == "ConditionCheck":
                    continue
                table = detail["TableName"]
                key = self._key(table, detail["Item"]) if kind == "Put" else detail["Key"]
                planned.append((table, key, kind == "Delete"))
            return planned
        return []

    def _account(
        self,
        actor: str,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        writes: list[tuple[str, Item, bool]],
        before: dict[int, Item | None],
        applied: bool,
    ) -> None:
        reads: list[tuple[str, float]] = []
        if operation == "GetItem":
            table = params["TableName"]
            # A projection trims what comes back, not what is read: bill the stored item.
            size = item_size(self._stored(table, params["Key"]))
            reads.append((table, read_units(size, consistent=bool(params.get("ConsistentRead")))))
        elif operation in ("Query", "Scan") and response is not None:
            size = sum(item_size(item) for item in response.get("Items", []))
            reads.append(
                (
                    params["TableName"],
                    read_units(size, consistent=bool(params.get("ConsistentRead"))),
                )
            )
        elif operation == "BatchGetItem" and response is not None:
            for table, request in params["RequestItems"].items():
                consistent = bool(request.get("ConsistentRead"))
                for key in request["Keys"]:
                    reads.append(
                        (
                            table,
                            read_units(item_size(self._stored(table, key)), consistent=consistent),
                        )
                    )
        costs = []
        for index, (table, key, is_delete) in enumerate(writes):
            after = None if is_delete else self._stored(table, key)
            cost = write_cost(
                self._tables[table],
                before[index],
                after,
                applied=applied,
                transactional=operation == "TransactWriteItems",
            )
            sizes = (item_size(before[index]), item_size(after))
            costs.append((self._tables[table].name, cost, sizes))
        with self._lock:
            self.counts.requests[(actor, "dynamodb", operation)] += 1
            for table, units in reads:
                self.counts.read_units[(actor, self._tables[table].name)] += units
            for name, cost, (old, new) in costs:
                self.counts.write_units[(actor, name)] += cost.table_units
                self.counts.index_write_units[(actor, name)] += cost.index_units
                self.counts.writes.append(
                    (actor, operation, name, old, new, cost.table_units, cost.index_units)
                )


class LogMeter(io.TextIOBase):
    """sys.stdout for the functions: counts what each writes, keeps nothing."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.recorder.log(text)
        return len(text)
