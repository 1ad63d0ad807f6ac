"""The local stack's SQS poller, as Lambda's: a handled message is deleted, a reported failure
is left for its visibility timeout, and a delete that fails is said in the stack's log."""

import logging
from typing import Any

import pytest

from local.pollers import QueuePoller
from local.template import QueueMapping


class Queue:
    """The SQS calls the poller makes, answering one batch of two messages."""

    def __init__(self, failing_deletes: set[str]) -> None:
        self.failing_deletes = failing_deletes
        self.deleted: list[str] = []

    def receive_message(self, **_: Any) -> dict[str, Any]:
        return {
            "Messages": [
                {"MessageId": name, "ReceiptHandle": f"handle-{name}", "Body": "{}"}
                for name in ("first", "second")
            ]
        }

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> Any:
        failed = [e for e in Entries if e["ReceiptHandle"] in self.failing_deletes]
        self.deleted += [e["ReceiptHandle"] for e in Entries if e not in failed]
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e not in failed],
            "Failed": [
                {"Id": e["Id"], "Code": "ReceiptHandleIsInvalid", "Message": "gone"} for e in failed
            ],
        }


class Functions:
    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer

    def invoke(self, logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return self.answer


def _poller(queue: Queue, answer: dict[str, Any]) -> QueuePoller:
    mapping = QueueMapping("DispatcherFunction", "OperationsQueue", 10, True)
    return QueuePoller(mapping, "url", "arn", Functions(answer), queue, concurrency=1)  # type: ignore[arg-type]


def test_handled_messages_are_deleted_and_reported_failures_kept() -> None:
    queue = Queue(failing_deletes=set())
    _poller(queue, {"batchItemFailures": [{"itemIdentifier": "second"}]})._poll_once()
    assert queue.deleted == ["handle-first"]


def test_a_delete_that_fails_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    queue = Queue(failing_deletes={"handle-second"})
    with caplog.at_level(logging.WARNING, logger="local.pollers"):
        _poller(queue, {"batchItemFailures": []})._poll_once()
    assert queue.deleted == ["handle-first"]
    assert [r.getMessage() for r in caplog.records] == [
        "DispatcherFunction: a handled message was not deleted (ReceiptHandleIsInvalid: gone)"
    ]
