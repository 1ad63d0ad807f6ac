"""Merchant routes that read: the alert list, one alert, the history list and one order's story.

Every signed-in user of the merchant may read (viewers too); a valid token without a user
record is refused (403) as on every merchant route. The merchant is the token's, never the
query's. The query string is read by the query models (`AlertQuery`, `HistoryQuery`,
`StoryQuery`) rather than by route parameters: they refuse an unknown filter, and list every
problem at once, ranges and cursors included (InvalidQuery: 422)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from ordersync.alerts import ids
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery, alert_detail
from ordersync.api.merchant_identity import calling_user
from ordersync.api.paths import OrderIdPath
from ordersync.config.repository import config_store
from ordersync.core.models import ROUTE_ONLY, entity_key
from ordersync.history.listing import HistoryQuery, list_history
from ordersync.history.stories import StoryQuery, story, story_row
from ordersync.merchants import service

router = APIGatewayHttpRouter()

MERCHANT: list[dict[str, list[str]]] = [{"merchant": []}]
AlertId = Annotated[str, Path(min_length=1, max_length=1024)]


class Page(BaseModel):
    """A page of a list, newest first; `cursor` (null on the last page) asks for the next."""

    model_config = ROUTE_ONLY

    items: list[dict[str, Any]] = Field(description="One row per item, with the columns asked")
    cursor: str | None


class Story(BaseModel):
    """One order's records, oldest first, with what was sent and received."""

    model_config = ROUTE_ONLY

    order_id: str = Field(serialization_alias="orderId")
    items: list[dict[str, Any]]
    cursor: str | None


# The query model behind each route's query string, so the OpenAPI document can state every
# filter (tools/openapi.py) though the routes read them through the model, not as parameters.
QUERY_MODELS: dict[tuple[str, str], type[BaseModel]] = {
    ("get", "/v1/alerts"): AlertQuery,
    ("get", "/v1/history"): HistoryQuery,
    ("get", "/v1/orders/{orderId}/history"): StoryQuery,
}


def _reader() -> str:
    """The caller's merchant, once their user record says they belong to it."""
    caller = calling_user(router)
    service.current_user(caller)
    return caller.merchant_id


def _params() -> dict[str, str]:
    return dict(router.current_event.query_string_parameters or {})


@router.get("/v1/alerts", security=MERCHANT)
def get_alerts() -> Page:
    merchant_id = _reader()
    return Page(**list_alerts(merchant_id, AlertQuery.parse(_params())).answer())


@router.get("/v1/alerts/<alertId>", security=MERCHANT)
def get_alert(alertId: AlertId) -> dict[str, Any]:  # named as in the contract
    return alert_detail(ids.find(_reader(), alertId))


@router.get("/v1/history", security=MERCHANT)
def get_history() -> Page:
    merchant_id = _reader()
    return Page(**list_history(merchant_id, HistoryQuery.parse(_params())).answer())


@router.get("/v1/orders/<orderId>/history", security=MERCHANT)
def get_order_history(orderId: OrderIdPath) -> Story:  # named as in the contract
    """The order's records in every channel of the merchant that used this order id (each
    channel delivers to one integration), unless `channel` or `integration` narrows it."""
    merchant_id = _reader()
    query = StoryQuery.parse(_params())
    entities = [
        entity_key(channel.integration_id, "order", orderId, channel_id=channel.channel_id)
        for channel in config_store().channels(merchant_id)
        if query.channel in (None, channel.channel_id)
        and query.integration in (None, channel.integration_id)
    ]
    records, cursor = story(merchant_id, entities, limit=query.limit, cursor=query.cursor)
    return Story(order_id=orderId, items=[story_row(r) for r in records], cursor=cursor)
