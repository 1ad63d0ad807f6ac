"""Exceptions a delivery Lambda raises so the state machine's Retry and Catch can see them by name.

The names are part of the contract with statemachines/order_operation.asl.json.
"""

import json
from typing import Any


class TransientDeliveryError(Exception):
    """A failure worth retrying soon. Its message is the JSON the failure step records."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__(json.dumps(summary, separators=(",", ":"), default=str))
        self.summary = summary


class PlatformUnavailableError(TransientDeliveryError):
    pass


class PlatformRateLimitedError(TransientDeliveryError):
    pass


class PlatformTimeoutError(TransientDeliveryError):
    pass


class PlatformConnectionFailedError(TransientDeliveryError):
    pass


class MappingUnavailableError(TransientDeliveryError):
    pass


class CallbackUnavailableError(TransientDeliveryError):
    pass


TRANSIENT_ERRORS_BY_CODE: dict[str, type[TransientDeliveryError]] = {
    "Platform Unavailable": PlatformUnavailableError,
    "Rate Limited": PlatformRateLimitedError,
    "Timeout": PlatformTimeoutError,
    "Connection Error": PlatformConnectionFailedError,
    "Mapping Unavailable": MappingUnavailableError,
}


# A follow-up of an order the platform does not have yet is not retried on a schedule: it is
# recorded as blocked by its order and runs once the order's creation syncs
# (ordersync.operations.blocking), so the delivery returns it instead of raising.
WAITS_FOR_ITS_ORDER = "Order Not Yet Created"
