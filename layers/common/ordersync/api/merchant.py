"""Merchant routes: the code catalog (open to all), who am I, and users (admins)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from ordersync.api.merchant_identity import calling_user
from ordersync.catalog.codes import catalog
from ordersync.core.models import ROUTE_ONLY, Level, Record, ResponseType, RetryClass
from ordersync.merchants import service
from ordersync.merchants.models import InviteRequest, Me, UserUpdate, UserView

router = APIGatewayHttpRouter()

MERCHANT: list[dict[str, list[str]]] = [{"merchant": []}]
UserId = Annotated[str, Path(min_length=1, max_length=128)]
CREATED: dict[int, OpenAPIResponse] = {201: {"description": "invited"}}


class CatalogCode(Record):
    code: str
    level: Level
    type: ResponseType
    retry_class: RetryClass
    description: str
    action: str


class Catalog(BaseModel):
    model_config = ROUTE_ONLY
    codes: list[CatalogCode]


class UserList(BaseModel):
    model_config = ROUTE_ONLY
    users: list[UserView]


@router.get("/v1/catalog", security=[])
def get_catalog() -> Catalog:
    return Catalog(
        codes=[CatalogCode.model_validate(entry.model_dump()) for entry in catalog().values()]
    )


@router.get("/v1/me", security=MERCHANT)
def get_me() -> Me:
    return service.me(calling_user(router))


@router.get("/v1/users", security=MERCHANT)
def list_users() -> UserList:
    return UserList(users=service.list_users(calling_user(router)))


@router.post("/v1/users", security=MERCHANT, responses=CREATED)
def invite_user(invitation: InviteRequest) -> Response[UserView]:
    invited = service.invite(calling_user(router), invitation)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=invited)


@router.put("/v1/users/<userId>", security=MERCHANT)
def update_user(userId: UserId, change: UserUpdate) -> UserView:  # named as in the contract
    return service.update(calling_user(router), userId, change)
