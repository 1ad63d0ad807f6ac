"""What the action tests share: users of every role in merchant m1 (and one of m2), and an
operation brought to an outcome by the real outcome recorder, with its alert."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ordersync.alerts.ids import alert_id
from ordersync.core.models import OperationMessage, OperationType
from ordersync.merchants.models import Caller, MerchantUser, Permissions, Role
from ordersync.merchants.repository import UserStore
from ordersync.operations.intake import operation_id_for
from ordersync.operations.models import WorkflowInput
from ordersync.operations.outcomes import record_outcome
from tests.factories import delivery_summary, unique

USERS = {
    "granted": ("m1", Role.OPERATOR, True),
    "operator": ("m1", Role.OPERATOR, False),
    "viewer": ("m1", Role.VIEWER, False),
    "admin": ("m1", Role.ADMIN, False),
    "granted-admin": ("m1", Role.ADMIN, True),
    "other": ("m2", Role.ADMIN, True),
}


@pytest.fixture
def users(stack) -> dict[str, Caller]:
    """A caller per name in USERS, each with a user record (email <name>@<merchant>.test)."""
    store, moment, callers = UserStore(), datetime.now(UTC), {}
    for name, (merchant, role, granted) in USERS.items():
        email = f"{name}@{merchant}.test"
        store.create(
            MerchantUser(
                user_id=f"u-{name}",
                merchant_id=merchant,
                email=email,
                role=role,
                permissions=Permissions(order_sync=granted),
                created_at=moment,
                updated_at=moment,
            )
        )
        callers[name] = Caller(user_id=f"u-{name}", merchant_id=merchant, email=email)
    return callers


@pytest.fixture
def outcome_of(accepted, order_request) -> Callable[..., tuple[OperationMessage, str]]:
    """An accepted create whose run ended in `code` (recorded as the workflow records it);
    the operation and its alert's id."""

    def make(code: str = "Order Creation Failed", **overrides: Any) -> tuple[OperationMessage, str]:
        order_id = overrides.pop("order_id", unique("WEB-"))
        merchant_id = overrides.pop("merchant_id", "m1")
        # The id intake derives, so a channel's repeat of this order finds this operation.
        derived = operation_id_for(merchant_id, "shop", OperationType.CREATE, order_id)
        message = accepted(
            {**order_request, "orderId": order_id},
            order_id=order_id,
            merchant_id=merchant_id,
            operation_id=derived,
            **overrides,
        )
        summary = delivery_summary(code, order_id=message.order_id, http_code=422)
        record_outcome(WorkflowInput(message=message, delivery=summary))
        return message, alert_id(message.entity_key)

    return make
