"""Move the operations dead-letter queue back to the operations queue, with progress.

On AWS it starts the same move as the console's "Start DLQ redrive" (StartMessageMoveTask) and
follows it; on the local stack, whose embedded AWS lacks that call, it moves the messages itself.

Usage: python -m tools.redrive --stack-name ordersync-dev          (AWS)
       python -m tools.redrive --local http://127.0.0.1:3000       (the local stack)
"""

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
import httpx

SOURCE, DEAD_LETTERS = "OperationsQueue", "OperationsDeadLetterQueue"


def depth(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def move_by_hand(
    sqs: Any, dead_letters: str, source: str, report: Callable[[int, int], None]
) -> int:
    """Receive from the DLQ, send to the source, then delete: a message is never in neither.
    Moves at most what the DLQ held when it began: a message that fails again at once comes
    back while this runs, and must not be moved round and round."""
    total, moved, empty_polls = depth(sqs, dead_letters), 0, 0
    while empty_polls < 2 and (total == 0 or moved < total):
        batch = sqs.receive_message(
            QueueUrl=dead_letters,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            empty_polls += 1
            continue
        empty_polls = 0
        entries = [
            {
                "Id": str(i),
                "MessageBody": m["Body"],
                **(
                    {"MessageAttributes": m["MessageAttributes"]}
                    if m.get("MessageAttributes")
                    else {}
                ),
            }
            for i, m in enumerate(batch)
        ]
        sent = sqs.send_message_batch(QueueUrl=source, Entries=entries)
        ok = {entry["Id"] for entry in sent.get("Successful", [])}
        deleted = sqs.delete_message_batch(
            QueueUrl=dead_letters,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(batch)
                if str(i) in ok
            ],
        )
        for failure in deleted.get("Failed", []):
            # Sent but still in the DLQ: a second copy that the dispatcher will acknowledge
            # without running, once the first has finished the operation.
            print(f"redrive: a moved message stayed in the DLQ: {failure}", file=sys.stderr)
        moved += len(ok)
        report(moved, max(total, moved))
    return moved


def move_on_aws(
    sqs: Any, dead_letters_arn: str, source_arn: str, report: Callable[[int, int], None]
) -> int:
    task = sqs.start_message_move_task(SourceArn=dead_letters_arn, DestinationArn=source_arn)
    while True:
        time.sleep(5)
        for found in sqs.list_message_move_tasks(SourceArn=dead_letters_arn, MaxResults=1)[
            "Results"
        ]:
            if found.get("TaskHandle") != task["TaskHandle"]:
                continue
            moved = int(found.get("ApproximateNumberOfMessagesMoved", 0))
            report(moved, int(found.get("ApproximateNumberOfMessagesToMove", moved)))
            if found["Status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                if found["Status"] != "COMPLETED":
                    raise SystemExit(f"redrive {found['Status']}: {found.get('FailureReason', '')}")
                return moved


def _progress(moved: int, total: int) -> None:
    print(f"\rredrive: moved {moved} of {total}", end="", flush=True)


def local_client(stack: dict[str, Any], service: str) -> Any:
    """A boto3 client of the local stack's embedded AWS (`stack`: what /_local/stack says)."""
    return boto3.client(
        service,
        endpoint_url=stack["awsEndpoint"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def local_stack_state(url: str, attempts: int = 5) -> dict[str, Any]:
    """What /_local/stack says. A stack working through a backlog on a busy machine can take
    longer than a read timeout to answer; that is the observer's problem, not a failure of the
    stack, so it is asked again (a soak of 2,000 orders once died of one timed-out look)."""
    for _ in range(attempts - 1):
        with contextlib.suppress(httpx.TimeoutException):
            return _stack_state(url)
    return _stack_state(url)


def _stack_state(url: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{url}/_local/stack", timeout=30).json()
    return answer


def redrive_local(url: str, report: Callable[[int, int], None] = _progress) -> int:
    stack = local_stack_state(url)
    sqs = local_client(stack, "sqs")
    return move_by_hand(sqs, stack["resources"][DEAD_LETTERS], stack["resources"][SOURCE], report)


def redrive_aws(stack_name: str, report: Callable[[int, int], None] = _progress) -> int:
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in boto3.client("cloudformation").describe_stack_resources(StackName=stack_name)[
            "StackResources"
        ]
    }
    sqs = boto3.client("sqs")

    def arn(url: str) -> str:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    return move_on_aws(sqs, arn(resources[DEAD_LETTERS]), arn(resources[SOURCE]), report)


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.redrive", description=__doc__.splitlines()[0]
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--stack-name", help="the deployed stack (uses your AWS credentials)")
    target.add_argument("--local", metavar="URL", help="the local stack's front door")
    args = parser.parse_args()
    moved = redrive_local(args.local) if args.local else redrive_aws(args.stack_name)
    print(f"\nredrive: done, {moved} message(s) back in the operations queue")
    return 0


if __name__ == "__main__":
    sys.exit(main())
