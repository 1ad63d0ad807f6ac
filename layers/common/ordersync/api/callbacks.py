"""Platform route: the merchant's platform confirms or rejects an operation it accepted for
later. No channel credential: the platform signs the request instead (method, path, timestamp
and the body's exact bytes)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.api.body import raw_body
from ordersync.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from ordersync.operations import verification
from ordersync.operations.models import Operation

router = APIGatewayHttpRouter()


@router.post(
    "/v1/callbacks/<operationId>",
    security=[],  # the platform signs the body instead (X-Ordersync-Signature)
    summary="The platform confirms or rejects an operation it accepted for later (202)",
    responses={
        200: {"description": "confirmed or rejected; the operation as it now is"},
        400: {"description": "a malformed X-Ordersync-Timestamp or X-Ordersync-Signature"},
        401: {"description": "a missing, stale, wrong or reused signature (or no such operation)"},
        409: {"description": "the operation is not awaiting this confirmation"},
        422: {"description": "the signed body is not a confirmation"},
    },
)
def confirm_operation(
    operationId: Annotated[str, Path(min_length=1, max_length=64)],
) -> Operation:
    event = router.current_event
    return verification.confirm(
        operationId,
        raw_body(event),
        event.headers.get(TIMESTAMP_HEADER),  # powertools' headers ignore case
        event.headers.get(SIGNATURE_HEADER),
    )
