"""Who is calling a merchant route: the claims API Gateway's JWT authorizer verified against the
user pool. Nothing in the request itself (body, query, headers) names the merchant."""

from aws_lambda_powertools.event_handler.exceptions import UnauthorizedError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.merchants.directory import MERCHANT_ATTRIBUTE
from ordersync.merchants.models import Caller


def calling_user(router: APIGatewayHttpRouter) -> Caller:
    claims = router.current_event.request_context.authorizer.jwt_claim or {}
    user_id, merchant_id = claims.get("sub"), claims.get(MERCHANT_ATTRIBUTE)
    if not user_id or not merchant_id or claims.get("token_use") != "id":
        # Only the id token carries the merchant; the route is misconfigured if it gets here.
        raise UnauthorizedError("a merchant user's id token is required")
    return Caller(user_id=user_id, merchant_id=merchant_id, email=claims.get("email", ""))
