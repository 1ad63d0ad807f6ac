"""moto's SQS under the stack's threads: a receive reads the queue's received messages from a
copy, so another thread's receive or delete meanwhile cannot fail it half-way (which hid the
messages it had marked received for their whole visibility timeout)."""

from typing import Any

from moto.sqs.models import Queue

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
