"""The channel- and merchant-facing HTTP API (API Gateway HTTP API, payload format 2.0)."""

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, UnauthorizedError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext
from ordersync import intake, verification
from ordersync.callbacks import SIGNATURE_HEADER, TIMESTAMP_HEADER
from ordersync.config import Channel
from ordersync.models import AcceptedOperation, Operation, OperationType
from ordersync.payloads import (
    CamelModel,
    CancelOrderRequest,
    CreateOrderRequest,
    InvoiceRequest,
    RefundRequest,
    ShipmentRequest,
)
from ordersync.pii import PiiMaskingFormatter
from ordersync.problems import describe_problems
from ordersync.tracking import OperationView, describe
from ordersync.verification import VerificationRefused
from pydantic import ValidationError

logger = Logger(logger_formatter=PiiMaskingFormatter())
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver(enable_validation=True)
OPENAPI = {
    "title": "ordersync",
    "version": "1",
    "security_schemes": {"channel": HTTPBearer(description="The channel's credential")},
    "security": [{"channel": []}],
}
app.enable_swagger(path="/v1/openapi", **OPENAPI)


def _channel() -> Channel:
    context = app.current_event.request_context.authorizer.get_lambda or {}
    if not context:
        raise UnauthorizedError("a channel credential is required")
    return Channel.model_validate(context)


@app.exception_handler(intake.ConflictingRepeat)
@app.exception_handler(IdempotencyValidationError)
def _conflict(error: Exception) -> Response[Any]:
    return Response(
        status_code=409,
        content_type=content_types.APPLICATION_JSON,
        body={
            "statusCode": 409,
            "message": "this operation was already sent with a different body; "
            "send the same body to read its status, or use a new order id",
        },
    )


@app.exception_handler(intake.PayloadTooLarge)
def _too_large(error: intake.PayloadTooLarge) -> Response[Any]:
    return Response(
        status_code=413,
        content_type=content_types.APPLICATION_JSON,
        body={"statusCode": 413, "message": f"{error}; nothing was accepted"},
    )


@app.exception_handler(RequestValidationError)
def _invalid_request(error: RequestValidationError) -> Response[Any]:
    return Response(
        status_code=422,
        content_type=content_types.APPLICATION_JSON,
        body=describe_problems(error.errors()),
    )


@app.get("/health", security=[])
def health() -> dict[str, str]:
    return {"status": "ok"}


def _accept(
    operation: OperationType,
    order_id: str,
    body: CamelModel,
    *,
    reference: str | None = None,
    feed_id: str | None = None,
) -> Response[AcceptedOperation]:
    channel = _channel()
    accepted = intake.accept(
        intake.AcceptRequest(
            channel_id=channel.channel_id,
            merchant_id=channel.merchant_id,
            integration_id=channel.integration_id,
            operation=operation,
            order_id=order_id,
            reference=reference,
            feed_id=feed_id,
            payload=body.model_dump(mode="json", by_alias=True, exclude_none=True),
        )
    )
    metrics.add_metric(name="OperationsAccepted", unit="Count", value=1)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


OrderId = Annotated[str, Path(min_length=1, max_length=200)]


@app.post("/v1/orders", responses={202: {"description": "accepted"}})
def create_order(order: CreateOrderRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.CREATE, order.order_id, order, feed_id=order.feed_id)


@app.post("/v1/orders/<orderId>/cancel", responses={202: {"description": "accepted"}})
def cancel_order(orderId: OrderId, cancellation: CancelOrderRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.CANCEL, orderId, cancellation)


@app.post("/v1/orders/<orderId>/invoice", responses={202: {"description": "accepted"}})
def invoice_order(orderId: OrderId, invoice: InvoiceRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.INVOICE, orderId, invoice, reference=invoice.invoice_number)


@app.post("/v1/orders/<orderId>/shipment", responses={202: {"description": "accepted"}})
def ship_order(orderId: OrderId, shipment: ShipmentRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.SHIPMENT, orderId, shipment, reference=shipment.shipment_id)


@app.post("/v1/orders/<orderId>/refund", responses={202: {"description": "accepted"}})
def refund_order(orderId: OrderId, refund: RefundRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.REFUND, orderId, refund, reference=refund.refund_id)


@app.get("/v1/operations/<operationId>")
def get_operation(
    operationId: Annotated[str, Path(min_length=1, max_length=64)],  # named as in the contract
) -> OperationView:
    found = describe(_channel(), operationId)
    if found is None:
        raise NotFoundError(f"no operation {operationId} for this channel")
    return found


@app.exception_handler(VerificationRefused)
def _verification_refused(error: VerificationRefused) -> Response[Any]:
    return Response(
        status_code=error.status_code,
        content_type=content_types.APPLICATION_JSON,
        body={"statusCode": error.status_code, "message": str(error)},
    )


@app.exception_handler(ValidationError)
def _invalid_confirmation(error: ValidationError) -> Response[Any]:
    return Response(
        status_code=422,
        content_type=content_types.APPLICATION_JSON,
        body=describe_problems(error.errors(include_url=False)),
    )


@app.post(
    "/v1/callbacks/<operationId>",
    security=[],  # the platform signs the body instead (X-Ordersync-Signature)
    summary="The platform confirms or rejects an operation it accepted for later (202)",
    responses={401: {"description": "bad signature"}, 409: {"description": "not awaiting"}},
)
def confirm_operation(
    operationId: Annotated[str, Path(min_length=1, max_length=64)],
) -> Operation:
    event = app.current_event
    return verification.confirm(
        operationId,
        (event.decoded_body or "").encode(),
        event.headers.get(TIMESTAMP_HEADER),  # powertools' headers ignore case
        event.headers.get(SIGNATURE_HEADER),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    intake.idempotency_config().register_lambda_context(context)
    return app.resolve(event, context)
