"""The merchant-facing HTTP API (signed-in merchant users, API Gateway's JWT authorizer on the
Cognito user pool): one resolver, the merchant routers, their exception policy."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from ordersync.api import merchant, merchant_actions, merchant_errors, merchant_exports

OPENAPI: dict[str, Any] = {
    "title": "ordersync merchant API",
    "version": "1",
    "security_schemes": {
        "merchant": HTTPBearer(
            bearerFormat="JWT",
            description="A merchant user's Cognito id token (POST /_local/sign-in locally)",
        )
    },
    "security": [{"merchant": []}],
}

app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(merchant.router)
app.include_router(merchant_actions.router)
app.include_router(merchant_exports.router)
merchant_errors.register(app)
