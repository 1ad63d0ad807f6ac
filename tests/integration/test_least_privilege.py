"""Least privilege, checked: each function's AWS calls, recorded live on the local stack
(`python -m bench.calls`), against what its role in template.yaml allows (as SAM translates it).

The local stack does not enforce IAM: a missing permission would only show once deployed, and an
excess one never. This fails on both, naming the function, the action and the resource:
- a recorded call no statement of the function's role allows (a missing permission);
- a statement's (action, resource) no recorded call needed (an excess permission), unless it is
  in ALLOWANCES below with the reason it is needed all the same.

The recording runs in a process of its own (the stack takes over the process's environment and
patches botocore there), ~12 s.
"""

import json
import subprocess
import sys
from typing import Any

import pytest

from bench.arns import resource_arn
from bench.grants import grants
from bench.permissions import Allowance, Call, check
from local.template import ROOT, LocalTemplate

# Functions fed by an SQS event-source mapping (AWSLambdaSQSQueueExecutionRole is attached).
SQS_FED = ("DispatcherFunction", "BulkActionsFunction", "ExportFunction")
RUNTIME = "the Lambda runtime, not the code, calls it with the function's role"
# Grants no local run can show being used, each with why the function needs it.
ALLOWANCES = [
    # AWSLambdaBasicExecutionRole, which SAM attaches to every function: the function's logs.
    *(
        Allowance("*", f"logs:{action}", "*", f"{RUNTIME}: it writes the function's logs")
        for action in ("CreateLogGroup", "CreateLogStream", "PutLogEvents")
    ),
    # AWSXrayWriteOnlyAccess, attached for Tracing: Active.
    *(
        Allowance("*", f"xray:{action}", "*", f"{RUNTIME}: Tracing is Active")
        for action in (
            "PutTraceSegments",
            "PutTelemetryRecords",
            "GetSamplingRules",
            "GetSamplingTargets",
            "GetSamplingStatisticSummaries",
        )
    ),
    # AWSLambdaSQSQueueExecutionRole, attached for the dispatcher's SQS event: the event-source
    # mapping polls with the dispatcher's role. The local poller's ReceiveMessage and
    # DeleteMessageBatch are recorded; reading the queue's attributes it does not imitate.
    *(
        Allowance(
            function,
            "sqs:GetQueueAttributes",
            "*",
            "Lambda's SQS event-source mapping reads the queue's attributes",
        )
        for function in SQS_FED
    ),
    *(
        Allowance(
            function,
            f"logs:{action}",
            "*",
            f"{RUNTIME} (AWSLambdaSQSQueueExecutionRole grants it a second time)",
        )
        for function in SQS_FED
        for action in ("CreateLogGroup", "CreateLogStream", "PutLogEvents")
    ),
    # A bulk job queues the rest of its matches only when its run's time runs short, which a
    # local run (its context does not count down) never reaches; tests/integration/actions/
    # test_jobs.py runs a job in parts.
    Allowance(
        "BulkActionsFunction",
        "sqs:SendMessage*",
        "arn:aws:sqs:us-east-1:123456789012:BulkActionsQueue",
        "a long bulk job queues its next part for the next run",
    ),
    # A message that found its integration's places all held a hundred times goes on as a
    # fresh one (tests/integration/test_inflight.py); no local run waits that often.
    Allowance(
        "DispatcherFunction",
        "sqs:SendMessage*",
        "arn:aws:sqs:us-east-1:123456789012:OperationsQueue",
        "a message worn out by waiting for a place goes on as a fresh one",
    ),
    # A presigned link is signed with the merchant API's role and used by the merchant's
    # browser: S3 authorizes that GetObject against the role, but the function never calls it.
    *(
        Allowance(
            function,
            "s3:GetObject",
            "arn:aws:s3:::ExportsBucket/exports/*",
            "the merchant downloads through a link this role presigned",
        )
        for function in ("MerchantApiFunction", "ConsoleFunction")
    ),
    Allowance(
        "ExportFunction",
        "s3:AbortMultipartUpload",
        "arn:aws:s3:::ExportsBucket/exports/*",
        "only a failed run drops its upload's parts (tests/integration/test_exports.py)",
    ),
]


# AWSLambdaDynamoDBExecutionRole, attached for the notifier's stream event: the event-source
# mapping reads the alerts table's stream with the notifier's role (locally, local/streams.py
# reads moto's backend in process, which records nothing).
ALLOWANCES += [
    Allowance(
        "NotifierFunction",
        f"dynamodb:{action}",
        "*",
        "Lambda's DynamoDB stream event-source mapping reads the stream with the notifier's role",
    )
    for action in ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")
]


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-m", "bench.calls"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, f"python -m bench.calls failed:\n{run.stderr[-3000:]}"
    found: dict[str, Any] = json.loads(run.stdout)
    return found


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return LocalTemplate.load().cloudformation({"Stage": "local"})


# Calls IAM never evaluates, so no grant can or need allow them: a public app client's sign-in
# (the console's InitiateAuth) is authenticated by the user's password, not the caller's role.
NOT_AUTHORIZED_BY_IAM = {"cognito-idp:InitiateAuth"}


def calls_of(recorded: dict[str, Any]) -> set[Call]:
    return {
        Call(c["function"], c["action"], c["resource"])
        for c in recorded["calls"]
        if c["action"] not in NOT_AUTHORIZED_BY_IAM
    }


def test_every_function_was_run_and_made_calls(recorded, template):
    functions = {
        name for name, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function"
    }
    calling = {call.function for call in calls_of(recorded)}
    assert calling == functions, f"not exercised: {functions - calling}"


def test_every_recorded_resource_is_a_resource_of_the_template(recorded):
    unknown = sorted(
        {c["resource"] for c in recorded["calls"] if c["resource"].startswith("unknown:")}
    )
    assert not unknown, f"calls on resources the template does not define: {unknown}"


def test_each_function_is_allowed_exactly_what_it_calls(recorded, template):
    findings = check(calls_of(recorded), grants(template, {"Stage": "local"}), ALLOWANCES)
    assert findings.ok, "\n" + findings.report()


def test_the_history_table_is_only_ever_appended_to_and_read(recorded):
    history = resource_arn("HistoryTable", "AWS::DynamoDB::Table")
    actions = {c["action"] for c in recorded["calls"] if c["resource"].startswith(history)}
    assert actions == {"dynamodb:PutItem", "dynamodb:Query"}
