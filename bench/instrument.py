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

Here are the hooks (`install`): Lambda invocations, every boto3 request, the platform's HTTP
calls and the functions' stdout. What they see is counted by `bench.recorder`, and DynamoDB's
units by `bench.dynamo_meter`.
"""

import io
import sys
import threading
import time
from typing import Any

import botocore.client
import httpx

from bench.recorder import POLLER, SCHEDULED, Recorder
from local.lambdas import InvocationError


def install(recorder: Recorder) -> None:
    """Count from now on. Handlers' loggers write to sys.stdout as Lambda's do: what they
    write is counted (as CloudWatch Logs would ingest it) and dropped."""
    sys.stdout = LogMeter(recorder)
    functions = recorder.stack.functions
    invoke = functions.invoke

    def timed_invoke(logical_id: str, event: Any) -> Any:
        scheduled = threading.current_thread().name.startswith("schedule-")
        actor = f"{SCHEDULED}{logical_id}" if scheduled else logical_id
        with recorder.acting(actor):
            started = time.perf_counter()
            try:
                return invoke(logical_id, event)
            except InvocationError as error:
                recorder.failed(actor, error.document)
                raise
            finally:
                recorder.invoked(actor, (time.perf_counter() - started) * 1000)

    functions.invoke = timed_invoke
    make_api_call = botocore.client.BaseClient._make_api_call

    def counted_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        actor = recorder.actor()
        if actor is None:
            return make_api_call(client, operation, params)
        service = client.meta.service_model.service_name
        recorder.permissions(actor, service, operation, params)
        if service == "dynamodb":
            return recorder.dynamodb(
                actor, operation, params, lambda: make_api_call(client, operation, params)
            )
        response = make_api_call(client, operation, params)
        recorder.requested(actor, service, operation, response)
        return response

    botocore.client.BaseClient._make_api_call = counted_call  # type: ignore[method-assign]
    handle_request = httpx.HTTPTransport.handle_request

    def counted_request(transport: Any, request: httpx.Request) -> httpx.Response:
        actor = recorder.actor()
        if actor is not None and actor != POLLER:
            recorder.platform_call(actor)
        return handle_request(transport, request)

    httpx.HTTPTransport.handle_request = counted_request  # type: ignore[method-assign]


class LogMeter(io.TextIOBase):
    """sys.stdout for the functions: counts what each writes, keeps nothing."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.recorder.log(text)
        return len(text)
