"""What moto's server keeps for ever that AWS lets go of, let go of: so the local stack's memory
holds the data (the tables' items, the messages still queued) and a bounded window of the rest.

Measured before (docs/performance.md, "The local stack: where its time and memory go"): the stack
grew about 140-175 MB per 1,000 operations, of which the tables' items, as DynamoDB sizes them, were
under 4 MB.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

PATCHED = "_ordersync_forgets"
# A receipt handle deleted twice is accepted again silently for this many recent deletions;
# older ones are forgotten (SQS's own handles expire with the message's visibility timeout).
DELETED_HANDLES_KEPT = 10_000


def apply() -> None:
    """Install once per process (a second stack in the same process shares it)."""
    from moto.core import common_models

    if getattr(common_models, PATCHED, False):
        return
    _stop_tracking_instances(common_models)
    share_attribute_names()
    share_short_values()
    setattr(common_models, PATCHED, True)


def _stop_tracking_instances(common_models: Any) -> None:
    """moto appends every model object it ever creates (each DynamoDB item written, including
    every older version an update replaced, each SQS message, ...) to a per-class list, read
    only by its web dashboard and by S3's reset. So nothing a put replaced or a delete removed
    was ever freed: three quarters of the items alive after a run were such garbage. S3 keeps
    its tracking (its reset closes the files its keys hold)."""
    original_new = common_models.BaseModel.__new__

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        if cls.__module__.startswith("moto.s3"):
            return original_new(cls, *args, **kwargs)
        return object.__new__(cls)

    common_models.BaseModel.__new__ = __new__
    from moto.core.model_instances import model_data

    for service, models in model_data.items():
        if service != "s3":
            for model in models.values():
                model.instances_tracked = []  # type: ignore[attr-defined]


def share_attribute_names() -> None:
    """moto keeps each item's attribute names as the strings its JSON parser made for that
    request: a copy of every name in every item. Our tables have a few dozen names, so one
    interned copy of each serves every item."""
    import sys

    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    original = LimitedSizeDict.__setitem__
    if getattr(original, PATCHED, False):
        return

    def __setitem__(self: LimitedSizeDict, key: Any, value: Any) -> None:
        original(self, sys.intern(key) if type(key) is str else key, value)

    setattr(__setitem__, PATCHED, True)
    LimitedSizeDict.__setitem__ = __setitem__  # type: ignore[method-assign]


# Statuses, codes, operation kinds, merchant, integration and order ids, numbers: the values
# that recur from item to item are short; a timestamp (24 and more) is nearly always new.
SHARED_VALUE_LENGTH = 20


def share_short_values() -> None:
    """The same for short values: each item held its own copy of its merchant's id, its status,
    its code, its order id (in each of the order's operations, history records and alerts).
    From Python 3.13 an interned string is freed with its last user (3.12 kept every one for
    ever, so there it is left alone)."""
    import sys

    from moto.dynamodb.models.dynamo_type import DynamoType

    if sys.version_info < (3, 13):
        return

    original = DynamoType.__init__
    if getattr(original, PATCHED, False):
        return

    def __init__(self: DynamoType, type_as_dict: Any) -> None:
        original(self, type_as_dict)
        value = self.value
        if type(value) is str and len(value) <= SHARED_VALUE_LENGTH:
            self.value = sys.intern(value)

    setattr(__init__, PATCHED, True)
    DynamoType.__init__ = __init__  # type: ignore[method-assign]


class RecentHandles:
    """The set of deleted receipt handles moto's SQS queue keeps, bounded to the newest ones.
    moto adds every handle of every deleted message and never removes one."""

    def __init__(self, kept: int = DELETED_HANDLES_KEPT) -> None:
        self._handles: OrderedDict[str, None] = OrderedDict()
        self._kept = kept
        self._lock = threading.Lock()

    def __contains__(self, handle: object) -> bool:
        return handle in self._handles

    def __len__(self) -> int:
        return len(self._handles)

    def add(self, handle: str) -> None:
        self.update([handle])

    def update(self, handles: Iterable[str]) -> None:
        with self._lock:
            for handle in handles:
                self._handles[handle] = None
                self._handles.move_to_end(handle)
            while len(self._handles) > self._kept:
                self._handles.popitem(last=False)


def bound_deleted_handles(account: str, region: str) -> None:
    """Give each queue of the stack a bounded memory of deleted receipt handles."""
    from moto.sqs.models import sqs_backends

    for queue in sqs_backends[account][region].queues.values():
        if not isinstance(queue.deleted_messages, RecentHandles):
            recent = RecentHandles()
            recent.update(queue.deleted_messages)
            queue.deleted_messages = recent
