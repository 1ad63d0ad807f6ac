"""Path parameters held to the body's rules (`ordersync.orders.fields`). Here, in the room of
the routes, because powertools' `Path` imports its whole event handler package (every resolver,
asyncio with AppSync's): `orders.fields` is imported by functions that serve no route, such as
the bulk actions."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from ordersync.orders.fields import ID_MAX_LENGTH, ORDER_ID_DESCRIPTION, ORDER_ID_PATTERN

# `/v1/orders/{orderId}/...`: a path cannot name an order a body could not create, nor a "." or
# ".." segment.
OrderIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=ID_MAX_LENGTH,
        pattern=ORDER_ID_PATTERN,
        description=ORDER_ID_DESCRIPTION,
    ),
]
