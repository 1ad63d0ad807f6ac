"""The merchant-facing HTTP API (signed-in merchant users, API Gateway's JWT authorizer on the
Cognito user pool): one resolver, the merchant router, its exception policy."""

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from ordersync.api import body, merchant, merchant_errors
from ordersync.api.resolver import Resolver

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

app = Resolver(enable_validation=True, json_body_deserializer=body.parse_json)
app.include_router(merchant.router)
merchant_errors.register(app)
