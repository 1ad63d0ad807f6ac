"""The order's customer, created or updated on the platform before the order itself."""

from typing import Any

from ordersync.catalog.classifier import classify
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.catalog.platform import PlatformResponse
from ordersync.config.models import Integration
from ordersync.core.models import OperationType, Outcome
from ordersync.delivery.attempt import Attempt, call
from ordersync.delivery.connector import PlatformConnector


def sync_customer(
    attempt: Attempt, connector: PlatformConnector, integration: Integration
) -> Outcome | None:
    """Create or update the order's customer first; the outcome that stops the order, or None."""
    customer = attempt.message.payload["customer"]
    email = customer["email"]
    facts = {**attempt.facts, "customer": email}
    key = f"{attempt.message.operation_id}-customer"
    answer: PlatformResponse | None = None
    for _ in range(2):  # a 409 on creation means another order created them meanwhile: look again
        found, failed = call(attempt, lambda: connector.find_customer(email))
        if failed or found is None:
            return attempt.record(
                failed or catalog_outcome("Unknown Error", **facts), step="customer"
            )
        if found.status_code == 200:
            success = "Customer Updated"
            answer, failed = call(attempt, lambda: connector.update_customer(email, customer))
        elif found.status_code == 404:
            success = "Customer Created"
            answer, failed = call(
                attempt, lambda: connector.create_customer(customer, idempotency_key=key)
            )
        else:
            return attempt.record(_customer_failure(found, integration, facts), found, "customer")
        if failed or answer is None:
            return attempt.record(
                failed or catalog_outcome("Unknown Error", **facts), step="customer"
            )
        if 200 <= answer.status_code < 300:
            attempt.record(
                catalog_outcome(
                    success, http_code=answer.status_code, system_call=answer.call, **facts
                ),
                answer,
                "customer",
            )
            return None
        if answer.status_code != 409:
            break
    assert answer is not None
    return attempt.record(_customer_failure(answer, integration, facts), answer, "customer")


def _customer_failure(
    answer: PlatformResponse, integration: Integration, facts: dict[str, Any]
) -> Outcome:
    if answer.status_code == 409:
        return catalog_outcome(
            "Duplicate Customer", http_code=409, system_call=answer.call, **facts
        )
    return classify(
        OperationType.CREATE, response=answer, system_codes=integration.system_codes, **facts
    )
