"""EMF metrics (powertools): counts per operation and code, and per merchant and level.

Two narrow dimension sets rather than one wide one: a metric per (operation, code) stays within
~250 series, and a metric per (merchant, level) grows by 4 series per merchant, where a single
(merchant, operation, code) set would grow by ~250 per merchant at $0.30 a series a month.
"""

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from ordersync.core.models import Level, OperationType

NAMESPACE = "ordersync"  # the template sets the same through POWERTOOLS_METRICS_NAMESPACE


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """One EMF line with `name` under `dimensions` (namespace from POWERTOOLS_METRICS_NAMESPACE)."""
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=value,
        namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE),
        default_dimensions=dimensions,
    ):
        pass


def outcome_recorded(merchant_id: str, operation: OperationType, code: str, level: Level) -> None:
    count("OperationOutcomes", operation=operation.value, code=code)
    count("MerchantOutcomes", merchant=merchant_id, level=level.value)
