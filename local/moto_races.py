"""Races in moto's SQS that AWS does not have, met when the stack's threads receive and delete at
once (in process, the pollers and the handlers share one interpreter).

`Queue.pending_message_groups` iterates the queue's set of received messages while another
thread's receive or delete changes it. ReceiveMessage then failed with "Set changed size during
iteration" after it had already marked messages received: their visibility timeout (720 s) hid
them from every poller, and a 2,000-order soak waited twelve minutes for them.

`Queue.delete_message` builds a new list of the queue's messages without the deleted one and
puts it in place of the old. With two pollers deleting at once, one could put back the message
the other had just deleted: acknowledged, it stayed in the queue, in flight, and came back after
its visibility timeout (most likely what held a 2,000-order soak's last 2 messages for 5 to 8
minutes after everything else had settled). A message sent between the end of that walk and
the new list's assignment would be lost the same way."""

import contextlib
from typing import Any

PATCHED = "_ordersync_snapshot"


def apply() -> None:
    from moto.sqs.exceptions import ReceiptHandleIsInvalid
    from moto.sqs.models import Queue

    if getattr(Queue, PATCHED, False):
        return

    def pending_message_groups(self: Any) -> set[str]:
        # tuple() copies the set in C, under the GIL: no other thread changes it meanwhile.
        return {m.group_id for m in tuple(self._pending_messages) if m.group_id is not None}

    def delete_message(self: Any, receipt_handle: str) -> None:
        if receipt_handle in self.deleted_messages:
            return  # deleted already: SQS acknowledges it again
        # Removed in place, under the lock that sends append under, so whatever another thread
        # adds or removes meanwhile stays added or removed; found in a copy, which a receive's
        # move to the dead-letter queue (a removal without the lock) cannot shift under the walk.
        with self._messages_lock:
            found = [m for m in tuple(self._messages) if m.had_receipt_handle(receipt_handle)]
            if not found:
                raise ReceiptHandleIsInvalid()
            for message in found:
                self.pending_messages.discard(message)
                self.deleted_messages.update(message.all_receipt_handles)
                with contextlib.suppress(ValueError):  # moved to the dead-letter queue meanwhile
                    self._messages.remove(message)

    Queue.pending_message_groups = property(pending_message_groups)  # type: ignore[assignment]
    Queue.delete_message = delete_message  # type: ignore[method-assign]
    setattr(Queue, PATCHED, True)
