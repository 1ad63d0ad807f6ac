"""The merchant-facing HTTP API (signed-in merchant users, API Gateway's JWT authorizer on the
Cognito user pool): one resolver, the merchant routers, their exception policy."""

from typing import Any

from ordersync.api import (
    body,
    merchant,
    merchant_actions,
    merchant_errors,
    merchant_exports,
    merchant_lists,
    merchant_settings,
)
from ordersync.api.resolver import Resolver


def openapi() -> dict[str, Any]:
    """The document's title and security, for tools.openapi (the models behind them are imported
    only here: about 80 ms CPU of a cold start)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return {
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
app.include_router(merchant_lists.router)
app.include_router(merchant_actions.router)
app.include_router(merchant_exports.router)
app.include_router(merchant_settings.router)
merchant_errors.register(app)
