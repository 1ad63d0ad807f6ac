"""Channel payload (content source) to the platform's payload (content translated)."""

from typing import Any

from ordersync.models import OperationMessage


def translate(message: OperationMessage) -> dict[str, Any]:
    # The default mapping sends the validated order as it is, tagged with where it came from.
    return {
        **message.payload,
        "externalId": message.order_id,
        "channel": message.channel_id,
    }
