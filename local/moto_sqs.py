"""moto's SQS, without walking the whole queue for each message it hands out.

moto decides a message's visibility by reading the clock through two datetimes, once per message and
per question, and every received message also checks its retention by building all of the queue's
attributes, three of which walk every message again; a visibility change finds its message by
listing every receipt handle of every message. With the soak's few hundred messages in flight, eight
pollers spent about an eighth of the stack's CPU there (docs/performance.md, "Where the 2,000-order
soak's time went"). The patches below read the clock once per walk, the retention period as the
attribute it is, and compare receipt handles in place; what moto answers does not change.
"""

import time
from typing import Any

PATCHED = "_ordersync_sqs_walks_once"


def apply() -> None:
    """Install the patches once per process."""
    from moto.sqs import models

    if getattr(models, PATCHED, False):
        return
    _clock_read_once_per_walk(models.Message, models.Queue)
    _receipt_handles_compared_in_place(models.Message)
    _retention_read_directly(models.SQSBackend)
    setattr(models, PATCHED, True)


def _now_millis() -> float:
    # moto's unix_time_millis(): the same instant, without building two datetimes.
    return time.time() * 1000.0


def _visible(message: Any, now: float) -> bool:
    return now > message.visible_at


def _delayed(message: Any, now: float) -> bool:
    return now < message.delayed_until


def _clock_read_once_per_walk(message_class: Any, queue_class: Any) -> None:
    message_class.visible = property(lambda message: _visible(message, _now_millis()))
    message_class.delayed = property(lambda message: _delayed(message, _now_millis()))

    def messages(queue: Any) -> list[Any]:
        now = _now_millis()
        return [m for m in queue._messages if _visible(m, now) and not _delayed(m, now)]

    def delayed_count(queue: Any) -> int:
        now = _now_millis()
        return sum(1 for m in queue._messages if _delayed(m, now))

    def not_visible_count(queue: Any) -> int:
        now = _now_millis()
        return sum(1 for m in queue._messages if not _visible(m, now))

    def any_receivable(queue: Any) -> bool:
        now = _now_millis()
        return any(_visible(m, now) and not _delayed(m, now) for m in queue._messages)

    def wait_for_messages(queue: Any, timeout: int) -> None:
        # Every poller waiting on the queue evaluates this on each message sent or changed:
        # it stops at the first receivable message instead of listing them all.
        with queue._messages_lock:
            queue._messages_lock.wait_for(lambda: any_receivable(queue), timeout=timeout)

    queue_class.messages = property(messages)
    queue_class.approximate_number_of_messages_delayed = property(delayed_count)
    queue_class.approximate_number_of_messages_not_visible = property(not_visible_count)
    queue_class.wait_for_messages = wait_for_messages


def _receipt_handles_compared_in_place(message_class: Any) -> None:
    # A visibility change or a delete looks for its message among all the queue's, asking each
    # whether it ever had the handle; moto built a list of every handle for each question.
    def had_receipt_handle(message: Any, receipt_handle: str) -> bool:
        return (
            receipt_handle == message.receipt_handle
            or receipt_handle in message._old_receipt_handles
        )

    message_class.had_receipt_handle = had_receipt_handle


def _retention_read_directly(backend_class: Any) -> None:
    def is_message_valid_based_on_retention_period(
        backend: Any, queue_name: str, message: Any
    ) -> bool:
        retention_seconds = int(backend.get_queue(queue_name).message_retention_period)
        return retention_seconds + message.sent_timestamp / 1000 > time.time()

    backend_class.is_message_valid_based_on_retention_period = (
        is_message_valid_based_on_retention_period
    )
