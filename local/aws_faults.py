"""Faults in ordersync's own AWS calls on the local stack (`python -m local --aws-faults 0.02`):
the platform is not the only thing that fails. At the given rate, a call ordersync's code makes
while one of its handlers runs (not the local stack's own pollers, servers and seeding) fails as
AWS fails it: an SQS send that errors, a throttled DynamoDB write, a Step Functions start that
is refused. The call is answered before it is sent, through botocore's `before-call` event,
as a fault reaches the code once botocore's own retries have given up; the package knows
nothing of it.

Each injected fault logs one WARNING line "aws fault injected: <service>.<operation>"; the soak
counts them in the stack's log. The rate is put in the environment too, so a process the stack
starts to run functions in calls `install_from_environment()` and fails alike.
"""

import logging
import os
import random
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

ENVIRONMENT = "ORDERSYNC_LOCAL_AWS_FAULTS"
log = logging.getLogger("local.aws_faults")

# What fails, and how AWS answers when it does: (HTTP status, error code).
FAULTS: dict[tuple[str, str], tuple[int, str]] = {
    **{
        ("sqs", operation): (500, "InternalError")
        for operation in ("SendMessage", "SendMessageBatch")
    },
    **{
        ("dynamodb", operation): (400, "ProvisionedThroughputExceededException")
        for operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
    },
    **{
        ("states", operation): (400, "ThrottlingException")
        for operation in ("StartExecution", "StartSyncExecution")
    },
}
# A call is ordersync's own while one of its functions' handlers runs (the stack seeding its
# demo configuration through the package is not).
HANDLERS = str(Path(__file__).resolve().parent.parent / "functions") + os.sep


class FaultInjector:
    def __init__(self, rate: float, seed: int | None = None) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"--aws-faults is a rate between 0 and 1, not {rate}")
        self.rate = rate
        self._draw = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def __call__(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        service = model.service_model.endpoint_prefix
        fault = FAULTS.get((service, model.name))
        if fault is None or not _called_by_ordersync():
            return None
        with self._lock:
            if self._draw.random() >= self.rate:
                return None
            name = f"{service}.{model.name}"
            self.injected[name] = self.injected.get(name, 0) + 1
        status, code = fault
        log.warning("aws fault injected: %s (%s)", name, code)
        answer = AWSResponse(url="", status_code=status, headers={}, raw=None)
        error = {"Code": code, "Message": "injected by the local stack (--aws-faults)"}
        metadata = {"HTTPStatusCode": status, "RetryAttempts": 0}
        return answer, {"Error": error, "ResponseMetadata": metadata}


def _called_by_ordersync() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(HANDLERS):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def install(rate: float, seed: int | None = None) -> FaultInjector | None:
    """Fail ordersync's AWS calls at `rate` from now on, in this process (and, through the
    environment, in the processes it starts). Clients are made by boto3's default session,
    which hands its event hooks to each client it creates: install before the stack starts."""
    if rate <= 0:
        return None
    injector = FaultInjector(rate, seed)
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-call", injector, unique_id="local-aws-faults")
    os.environ[ENVIRONMENT] = f"{rate}:{'' if seed is None else seed}"
    log.warning("ordersync's own AWS calls fail at a rate of %s", rate)
    return injector


def install_from_environment() -> FaultInjector | None:
    rate, _, seed = os.environ.get(ENVIRONMENT, "").partition(":")
    return install(float(rate), int(seed) if seed else None) if rate else None
