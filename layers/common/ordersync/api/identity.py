"""Who is calling a channel route: the channel the Lambda authorizer put in the request context,
counted against its rate limit."""

from aws_lambda_powertools.event_handler.exceptions import UnauthorizedError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.config import rate_limits
from ordersync.config.models import Channel


def calling_channel(router: APIGatewayHttpRouter) -> Channel:
    context = router.current_event.request_context.authorizer.get_lambda or {}
    if not context:
        raise UnauthorizedError("a channel credential is required")
    channel = Channel.model_validate(context)
    rate_limits.take(channel)
    return channel
