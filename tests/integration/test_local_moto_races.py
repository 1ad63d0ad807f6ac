"""moto's SQS under the stack's threads: a receive reads the queue's received messages from a
copy, so another thread's receive or delete meanwhile cannot fail it half-way (which hid the
messages it had marked received for their whole visibility timeout); a delete removes its
message in place, so another thread's delete or send meanwhile is not undone."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import Message, Queue, sqs_backends

from local import moto_races


class Received:
    """A received message whose group another thread's receive adds to the same set while this
    one is being read: the interleaving that failed with "Set changed size during iteration"."""

    def __init__(self, pending: set[Any], group: str | None) -> None:
        self.pending, self.group = pending, group

    @property
    def group_id(self) -> str | None:
        self.pending.add(Received(set(), None))
        return self.group


def test_a_receive_reads_the_pending_groups_from_a_copy() -> None:
    moto_races.apply()
    queue = Queue.__new__(Queue)
    pending: set[Any] = set()
    pending.update({Received(pending, "a"), Received(pending, "b"), Received(pending, None)})
    queue._pending_messages = pending

    assert queue.pending_message_groups == {"a", "b"}
    assert len(pending) > 3  # the other receives' messages are kept, not lost


@pytest.fixture
def queue() -> Iterator[Any]:
    """A moto queue holding three received messages, a, b and c (receipt handles in `handles`)."""
    moto_races.apply()
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        # A name of its own: the suite's moto state may outlive one test's mock.
        name = f"raced-{uuid.uuid4().hex[:8]}"
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        for body in "abc":
            sqs.send_message(QueueUrl=url, MessageBody=body)
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3, VisibilityTimeout=600)
        found = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].queues[name]
        found.handles = {m["Body"]: m["ReceiptHandle"] for m in received["Messages"]}
        yield found


def _meanwhile(queue: Any, body: str, action: Callable[[], None]) -> None:
    """Run `action` (another thread's call, as the GIL may interleave it) the first time a walk
    over the queue's messages asks message `body` for its receipt handle."""
    message = next(m for m in queue._messages if m.body == body)
    asked = type(message).had_receipt_handle
    pending = [action]

    def had_receipt_handle(handle: str) -> bool:
        if pending:
            pending.pop()()
        return asked(message, handle)

    message.had_receipt_handle = had_receipt_handle


def test_two_deletes_at_once_both_stay_deleted(queue: Any) -> None:
    _meanwhile(queue, "b", lambda: queue.delete_message(queue.handles["b"]))
    queue.delete_message(queue.handles["a"])
    assert [m.body for m in queue._messages] == ["c"]  # moto's own put b back: ["b", "c"]


def test_a_message_sent_during_a_delete_is_kept(queue: Any) -> None:
    sent = Message("d-id", "d", 0)
    _meanwhile(queue, "b", lambda: queue.add_message(sent))
    queue.delete_message(queue.handles["a"])
    # moto's own walk sees d (it walks the live list); a list rebuilt from a copy would lose it.
    assert [m.body for m in queue._messages] == ["b", "c", "d"]
