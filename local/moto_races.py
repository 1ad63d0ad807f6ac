"""Races in moto's SQS that AWS does not have, met when the stack's threads receive and delete at
once (in process, the pollers and the handlers share one interpreter).

`Queue.pending_message_groups` iterates the queue's set of received messages while another
thread's receive or delete changes it. ReceiveMessage then failed with "Set changed size during
iteration" after it had already marked messages received: their visibility timeout (720 s) hid
them from every poller, and a 2,000-order soak waited twelve minutes for them."""

from typing import Any

PATCHED = "_ordersync_snapshot"


def apply() -> None:
    from moto.sqs.models import Queue

    if getattr(Queue, PATCHED, False):
        return

    def pending_message_groups(self: Any) -> set[str]:
        # tuple() copies the set in C, under the GIL: no other thread changes it meanwhile.
        return {m.group_id for m in tuple(self._pending_messages) if m.group_id is not None}

    Queue.pending_message_groups = property(pending_message_groups)  # type: ignore[assignment]
    setattr(Queue, PATCHED, True)
