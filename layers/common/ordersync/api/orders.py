"""Channel routes that send an order operation: create, cancel, invoice, ship, refund."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.api.identity import calling_channel
from ordersync.api.paths import OrderIdPath as OrderId
from ordersync.core.models import OperationType
from ordersync.operations import intake
from ordersync.operations.models import AcceptedOperation
from ordersync.orders.payloads import (
    CamelModel,
    CancelOrderRequest,
    CreateOrderRequest,
    InvoiceRequest,
    RefundRequest,
    ShipmentRequest,
)

router = APIGatewayHttpRouter()
metrics = Metrics()

ACCEPTED: dict[int, OpenAPIResponse] = {202: {"description": "accepted"}}


def _accept(
    operation: OperationType,
    order_id: str,
    body: CamelModel,
    *,
    reference: str | None = None,
    feed_id: str | None = None,
) -> Response[AcceptedOperation]:
    channel = calling_channel(router)
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


@router.post("/v1/orders", responses=ACCEPTED)
def create_order(order: CreateOrderRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.CREATE, order.order_id, order, feed_id=order.feed_id)


@router.post("/v1/orders/<orderId>/cancel", responses=ACCEPTED)
def cancel_order(orderId: OrderId, cancellation: CancelOrderRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.CANCEL, orderId, cancellation)


@router.post("/v1/orders/<orderId>/invoice", responses=ACCEPTED)
def invoice_order(orderId: OrderId, invoice: InvoiceRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.INVOICE, orderId, invoice, reference=invoice.invoice_number)


@router.post("/v1/orders/<orderId>/shipment", responses=ACCEPTED)
def ship_order(orderId: OrderId, shipment: ShipmentRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.SHIPMENT, orderId, shipment, reference=shipment.shipment_id)


@router.post("/v1/orders/<orderId>/refund", responses=ACCEPTED)
def refund_order(orderId: OrderId, refund: RefundRequest) -> Response[AcceptedOperation]:
    return _accept(OperationType.REFUND, orderId, refund, reference=refund.refund_id)
