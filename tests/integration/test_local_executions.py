"""The local stack lets go of what moto keeps from every Step Functions execution (its threads,
its history), so a long soak does not run out of memory, and keeps every running execution."""

import json
import threading
import time

import boto3
from moto import mock_aws
from moto.core.config import default_user_config
from moto.stepfunctions.parser.models import stepfunctions_parser_backends
from moto.stepfunctions.parser.utils import TMP_THREADS

from local import embedded_aws

ACCOUNT, REGION = "123456789012", "us-east-1"
WAIT_FROM_INPUT = {
    "StartAt": "Wait",
    "States": {"Wait": {"Type": "Wait", "SecondsPath": "$.seconds", "End": True}},
}


def _settled(execution) -> bool:
    return execution.exec_status is not None and execution.exec_status.value != "RUNNING"


@mock_aws
def test_finished_executions_let_go_of_threads_and_old_ones_are_forgotten(monkeypatch) -> None:
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", True)
    monkeypatch.setattr(embedded_aws, "FINISHED_EXECUTIONS_KEPT", 3)
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    machine = backend.create_state_machine(
        name="Workflow",
        definition=json.dumps(WAIT_FROM_INPUT),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
        sm_type="EXPRESS",
    )
    arn = machine.arn
    slow = backend.start_execution(arn, "slow", json.dumps({"seconds": 5}))
    quick = [backend.start_execution(arn, f"quick-{n}", '{"seconds": 0}') for n in range(6)]
    deadline = time.monotonic() + 10
    while not all(_settled(e) for e in quick) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(_settled(e) for e in quick)
    assert not _settled(slow)

    assert any(not thread.is_alive() for thread in TMP_THREADS)
    about_to_start = threading.Thread(target=time.sleep, args=(0,))
    TMP_THREADS.append(about_to_start)  # as moto does: listed first, started next

    embedded_aws._clean_up_after_executions(arn, backend)

    assert about_to_start in TMP_THREADS
    assert all(thread.is_alive() for thread in TMP_THREADS if thread is not about_to_start)
    TMP_THREADS.remove(about_to_start)
    kept = [e.name for e in backend.describe_state_machine(arn).executions]
    assert kept == ["slow", "quick-3", "quick-4", "quick-5"]


def test_a_thread_that_is_starting_is_left_for_the_next_clean_up(monkeypatch) -> None:
    class Starting(threading.Thread):
        """Between _set_ident() and _started.set(): an ident, not alive, cannot be joined."""

        @property
        def ident(self) -> int:
            return 1

    starting = Starting(target=time.sleep, args=(0,))
    TMP_THREADS.append(starting)
    try:
        embedded_aws._release_finished_threads()

        assert starting in TMP_THREADS
    finally:
        TMP_THREADS.remove(starting)


@mock_aws
def test_start_execution_forgets_finished_executions_as_the_synchronous_start_does(
    monkeypatch,
) -> None:
    """The dispatcher starts each run with StartExecution and does not wait: moto's own
    StartExecution must let old executions go too, or a soak grows by every run it made."""
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", True)
    monkeypatch.setattr(embedded_aws, "FINISHED_EXECUTIONS_KEPT", 2)
    embedded_aws._forget_after_start_execution()
    client = boto3.client("stepfunctions", region_name=REGION)
    arn = client.create_state_machine(
        name="Workflow",
        definition=json.dumps(WAIT_FROM_INPUT),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
        type="EXPRESS",
    )["stateMachineArn"]
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    for n in range(6):
        client.start_execution(stateMachineArn=arn, name=f"quick-{n}", input='{"seconds": 0}')
        deadline = time.monotonic() + 10
        while not all(_settled(e) for e in backend.describe_state_machine(arn).executions):
            assert time.monotonic() < deadline
            time.sleep(0.01)

    kept = [e.name for e in backend.describe_state_machine(arn).executions]
    assert "quick-0" not in kept
    assert len(kept) <= 3
