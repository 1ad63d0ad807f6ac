"""Deliver one order-invoice operation to the merchant's platform (a state-machine task)."""

from ordersync.core.models import OperationType
from ordersync.delivery.tasks import delivery_handler

lambda_handler = delivery_handler(OperationType.INVOICE)
