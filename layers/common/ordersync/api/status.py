"""Channel route that reads where one of the channel's operations is now."""

from typing import Annotated

from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.api.identity import calling_channel
from ordersync.operations.tracking import OperationView, describe

router = APIGatewayHttpRouter()


@router.get("/v1/operations/<operationId>")
def get_operation(
    operationId: Annotated[str, Path(min_length=1, max_length=64)],  # named as in the contract
) -> OperationView:
    found = describe(calling_channel(router), operationId)
    if found is None:
        raise NotFoundError(f"no operation {operationId} for this channel")
    return found
