"""Deliver one order-refund operation to the merchant's platform (a state-machine task)."""

from ordersync.models import OperationType
from ordersync.tasks import delivery_handler

lambda_handler = delivery_handler(OperationType.REFUND)
