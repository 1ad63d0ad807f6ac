"""moto's server in this process, taught the two things the local stack needs from it:
Lambda invokes run the project's handlers, and StartSyncExecution exists. (StartExecution runs
an Express machine's execution in a thread of its own, as moto does for any machine; the stack
forgets finished executions after either.)"""

import functools
import json
import threading
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.config import default_user_config
from moto.core.responses import ActionResult
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.utils import TMP_THREADS
from moto.stepfunctions.responses import StepFunctionResponse

from local import (
    direct_aws,
    moto_answers,
    moto_queries,
    moto_races,
    moto_retention,
    moto_speedups,
    moto_sqs,
    moto_waits,
)
from local.lambdas import InvocationError, LocalFunctions

_functions: LocalFunctions | None = None
# moto made faster and free of its races; each module says what it changes and its test shows it.
MOTO_PATCHES = (moto_speedups, moto_queries, moto_sqs, moto_answers, moto_retention, moto_races)

# AWS keeps no Express execution to list; a few recent ones help whoever debugs the local stack.
# Each holds its whole history and interpreter state (about 100 KB): 1,000 of them were most of
# the stack's growth over a 1,000-operation run. The bench, which reads a burst's runs back,
# keeps more.
FINISHED_EXECUTIONS_KEPT = 50
_cleaning = threading.Lock()
# Held by every DynamoDB write and read (make_dynamodb_writes_atomic), and by whoever trims a
# table's stream, which moto appends to inside a write.
DYNAMODB_LOCK = threading.RLock()
# With use_docker off, moto serves Lambda from LambdaSimpleBackend, whose invoke echoes the event.
_original_invoke = LambdaSimpleBackend.invoke


def _invoke(
    self: LambdaSimpleBackend,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: Any,
) -> bytes:
    logical_id = _functions.logical_id(function_name) if _functions else None
    if logical_id is None:
        return _original_invoke(self, function_name, qualifier, body, headers, response_headers)  # type: ignore[no-any-return]
    event = json.loads(body) if body else {}
    try:
        payload = json.dumps(_functions.invoke(logical_id, event))  # type: ignore[union-attr]
    except InvocationError as error:
        # Lambda reports a handler's exception this way; Step Functions reads errorType
        # as the error name its Retry and Catch match on.
        response_headers["x-amz-function-error"] = "Unhandled"
        payload = json.dumps(error.document)
    encoded = payload.encode()
    response_headers["Content-Length"] = str(len(encoded))
    return encoded


def _start_sync_execution(self: StepFunctionResponse) -> ActionResult:
    execution = self.stepfunction_backend.start_execution(
        self._get_param("stateMachineArn"),
        self._get_param("name"),
        self._get_param("input", if_none="{}"),
    )
    # No timeout of our own: the state machine's TimeoutSeconds ends every execution.
    _finished(execution).wait()
    described = execution.to_describe_output()
    result: dict[str, Any] = {
        "executionArn": described["executionArn"],
        "stateMachineArn": described["stateMachineArn"],
        "name": described["name"],
        "startDate": described["startDate"],
        "stopDate": described.get("stopDate"),
        "status": described["status"].value
        if hasattr(described["status"], "value")
        else described["status"],
        "input": described.get("input"),
    }
    for optional in ("output", "error", "cause"):
        if described.get(optional) is not None:
            result[optional] = described[optional]
    _clean_up_after_executions(execution.state_machine_arn, self.stepfunction_backend)
    return ActionResult(result)


def _forget_after_start_execution() -> None:
    """moto's StartExecution returns once its execution's thread is started; the executions it
    keeps are trimmed as after StartSyncExecution."""
    original = StepFunctionResponse.start_execution
    if getattr(original, "forgets", False):
        return  # a second stack in this process

    @functools.wraps(original)
    def start_execution(self: StepFunctionResponse) -> Any:
        started = original(self)
        _clean_up_after_executions(self._get_param("stateMachineArn"), self.stepfunction_backend)
        return started

    start_execution.forgets = True  # type: ignore[attr-defined]
    StepFunctionResponse.start_execution = start_execution  # type: ignore[method-assign]


def _finished(execution: Any) -> threading.Event:
    """The event set when `execution` ends. Waiting on it, rather than polling its status every
    5 ms, stopped some 70 waiting requests from waking 14,000 times a second for the GIL (a
    fifth of the stack's samples under load). setdefault on the instance's __dict__ is atomic,
    so the waiter and the ending worker always share one event, whichever comes first."""
    event: threading.Event = execution.__dict__.setdefault("_local_finished", threading.Event())
    return event


def _signal_when_ended() -> None:
    """Set an execution's event when its worker is done, also if the interpreter raised (its
    status then stays RUNNING, which the caller reports as a failed run rather than waiting
    for ever)."""
    logic = ExecutionWorker._execution_logic
    if getattr(logic, "signals", False):
        return  # a second stack in this process

    @functools.wraps(logic)
    def signalling(self: ExecutionWorker) -> None:
        try:
            logic(self)
        finally:
            _finished(self._execution_communication.execution).set()  # type: ignore[attr-defined]

    signalling.signals = True  # type: ignore[attr-defined]
    ExecutionWorker._execution_logic = signalling  # type: ignore[method-assign]


def _clean_up_after_executions(state_machine_arn: str, backend: Any) -> None:
    if not _cleaning.acquire(blocking=False):
        return  # another request is at it
    try:
        _release_finished_threads()
        _forget_old_executions(backend.describe_state_machine(state_machine_arn).executions)
    finally:
        _cleaning.release()


def _release_finished_threads() -> None:
    """moto keeps every thread an execution starts in a list it never empties. Python keeps a
    finished thread's 8 MB stack mapped until the thread is joined or collected, so the stack
    process reached the kernel's limit of 65,530 mappings (two per stack) and died, with
    MemoryError and "can't start new thread", in the middle of a 2,000-order soak."""
    # A thread with no ident is listed but not started yet: it cannot be joined.
    finished = [thread for thread in TMP_THREADS if thread.ident and not thread.is_alive()]
    for thread in finished:
        try:
            thread.join()
        except RuntimeError:
            # Its ident is set a moment before it counts as started (and so as alive): it is
            # starting, not finished. The next clean-up joins it.
            continue
        # remove() one at a time: other requests' executions append to the list meanwhile.
        TMP_THREADS.remove(thread)


def _forget_old_executions(executions: list[Any]) -> None:
    """moto also keeps every execution, with its history, and looks each new name up among them
    all. AWS does not keep Express executions; keep every running one and the newest finished
    ones, which the bench reads back."""
    if len(executions) <= FINISHED_EXECUTIONS_KEPT * 1.2:
        return
    finished = [e for e in executions if e.exec_status and e.exec_status.value != "RUNNING"]
    for old in finished[: len(finished) - FINISHED_EXECUTIONS_KEPT]:
        executions.remove(old)


def adopt_state_machines(types_by_name: dict[str, str], account: str, region: str) -> None:
    """moto's CloudFormation puts state machines where the executing backend cannot see them
    (and drops their type); hand each one over, as created, to the backend that runs them."""
    from moto.stepfunctions.models import stepfunctions_backends
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    executing = stepfunctions_parser_backends[account][region]
    for machine in stepfunctions_backends[account][region].state_machines:
        executing.create_state_machine(
            name=machine.name,
            definition=machine.definition,
            roleArn=machine.roleArn,
            sm_type=types_by_name.get(machine.name, "STANDARD"),
        )


def _parse_each_definition_once() -> None:
    """moto parses a state machine's definition with ANTLR on every execution, a fifth of the
    local stack's CPU under load. Its components keep each run's state in that run's
    environment (attempt counts live in env.heap), so one parse can serve every execution."""
    parse = AmazonStateLanguageParser.__dict__["parse"].__func__
    AmazonStateLanguageParser.parse = staticmethod(functools.lru_cache(maxsize=16)(parse))  # type: ignore[method-assign]


def _reuse_lambda_clients() -> None:
    """moto's Step Functions builds a new boto3 client for every Lambda task it runs (an eighth
    of the stack's CPU under load). It signs them with fixed keys whatever the execution's
    credentials, and clients are thread-safe, so one per region does. Its requests are answered
    in process (`local.direct_aws`), like the handlers'."""
    import boto3
    from botocore.config import Config
    from moto.settings import moto_server_port

    @functools.lru_cache(maxsize=16)
    def clients(region: str, service: str) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=f"http://127.0.0.1:{moto_server_port()}",
            aws_access_key_id="ak",
            aws_secret_access_key="sk",
            config=Config(
                parameter_validation=False,
                retries={"max_attempts": 0, "total_max_attempts": 1},
                connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
            ),
        )

    def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        return clients(region, service)

    lambda_eval_utils.boto_client_for = client_for  # type: ignore[assignment]


def make_dynamodb_writes_atomic() -> None:
    """moto checks a write's condition and then applies it with no lock, so two threads can
    both pass their conditions (a run recording "synced" and a sweep flagging "queued"), and
    the later write undoes the earlier one. DynamoDB applies a conditional write atomically.

    Reads take the same lock until their answer is copied out: moto updates an item in place,
    one attribute at a time, so a Query copying it meanwhile saw half an update (an item in
    the sparse by-watch index without its `watchUntil`, which crashed the sweeper). DynamoDB
    reads an item as it was before or after a write, never during."""
    if getattr(DynamoDBBackend.put_item, "atomic", False):
        return  # a second stack in this process
    from moto.dynamodb.responses import DynamoHandler

    writes = [(DynamoDBBackend, name) for name in ("put_item", "update_item", "delete_item")]
    writes.append((DynamoDBBackend, "transact_write_items"))
    # The handler's UpdateItem deep-copies the item before it calls the backend: under the lock
    # too, or a write meanwhile fails the copy ("dictionary changed size during iteration").
    reads = [
        (DynamoHandler, name)
        for name in (
            "get_item",
            "query",
            "scan",
            "batch_get_item",
            "transact_get_items",
            "update_item",
        )
    ]
    for owner, name in writes + reads:
        original = getattr(owner, name)

        @functools.wraps(original)
        def atomic(self: Any, *args: Any, _call: Any = original, **kwargs: Any) -> Any:
            with DYNAMODB_LOCK:
                return _call(self, *args, **kwargs)

        atomic.atomic = True  # type: ignore[attr-defined]
        setattr(owner, name, atomic)


def start(functions: LocalFunctions, port: int, time_scale: float = 1.0) -> ThreadedMotoServer:
    global _functions
    _functions = functions
    default_user_config["stepfunctions"]["execute_state_machine"] = True
    default_user_config["lambda"]["use_docker"] = False
    LambdaSimpleBackend.invoke = _invoke  # type: ignore[method-assign]
    StepFunctionResponse.start_sync_execution = _start_sync_execution  # type: ignore[attr-defined]
    _forget_after_start_execution()
    _signal_when_ended()
    _parse_each_definition_once()
    for patches in MOTO_PATCHES:
        patches.apply()
    moto_waits.scale_retry_waits(time_scale)
    _reuse_lambda_clients()
    make_dynamodb_writes_atomic()
    direct_aws.install(f"http://127.0.0.1:{port}")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server
