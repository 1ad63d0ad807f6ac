"""One delivery attempt of an operation to the merchant's platform (a delivery Lambda's job):
check the order's status rules, map the payload, sync the customer first where asked, send,
classify, record every response, and keep the order's state."""

from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from ordersync.catalog.classifier import classify
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.catalog.errors import TRANSIENT_ERRORS_BY_CODE
from ordersync.catalog.platform import PlatformResponse
from ordersync.config.models import Integration
from ordersync.config.repository import ConfigStore, config_store
from ordersync.core.models import Level, OperationMessage, OperationType, Outcome
from ordersync.delivery.attempt import Attempt, call
from ordersync.delivery.connector import PlatformConnector
from ordersync.delivery.customers import sync_customer
from ordersync.delivery.mapping import MappingProblem, translate
from ordersync.operations import leases
from ordersync.orders import lifecycle
from ordersync.orders.lifecycle import OrderState
from ordersync.orders.repository import OrderStore, StaleOrderState

logger = Logger(child=True)

DONE = (Level.SUCCESS, Level.WARNING, Level.PENDING)


def _send(
    attempt: Attempt, connector: PlatformConnector, integration: Integration
) -> tuple[Outcome, PlatformResponse | None]:
    message = attempt.message
    translated = attempt.translated or {}
    response: PlatformResponse | None = None
    if message.operation is OperationType.CREATE and attempt.number > 1:
        # Any attempt after the first may follow one whose answer was lost: ask before creating.
        found, _ = call(attempt, lambda: connector.lookup_order(message.external_order_id))
        response = found if found is not None and found.status_code == 200 else None
    if response is None:
        response, failed = call(
            attempt,
            lambda: connector.send(
                message.operation,
                translated,
                idempotency_key=message.operation_id,
                order_id=message.external_order_id,
            ),
        )
        if failed:
            return failed, None
    assert response is not None
    if message.operation is OperationType.CREATE and response.status_code == 409:
        # The platform already holds this order under another key (keyed in by hand, say):
        # bring it up to date instead of failing the creation.
        updated, failed = call(
            attempt,
            lambda: connector.update_order(
                message.external_order_id,
                translated,
                idempotency_key=f"{message.operation_id}-update",
            ),
        )
        if failed or updated is None:
            return failed or catalog_outcome("Unknown Error", **attempt.facts), None
        classified = classify(
            message.operation,
            response=updated,
            system_codes=integration.system_codes,
            **attempt.facts,
        )
        renamed = {"Order Created": "Order Updated", "Order Creation Failed": "Order Update Failed"}
        if classified.code in renamed:
            classified = catalog_outcome(
                renamed[classified.code],
                http_code=classified.http_code,
                system_call=classified.system_call,
                system_identifier=classified.system_identifier,
                detail=(updated.json() or {}).get("message", "")
                if isinstance(updated.json(), dict)
                else "",
                **attempt.facts,
            )
        return classified, updated
    return classify(
        message.operation, response=response, system_codes=integration.system_codes, **attempt.facts
    ), response


def deliver(
    message: OperationMessage,
    config: ConfigStore | None = None,
    orders: OrderStore | None = None,
    deadline: float | None = None,
    counted_attempt: int | None = None,
) -> dict[str, Any]:
    """Send `message` once; return the classified outcome, or raise a TransientDeliveryError.
    `deadline` (time.monotonic()): when the calling function's time runs out; every platform
    call's timeout is cut to end before it. `counted_attempt`: this attempt's number, counted
    already (a run's first, with its lease); None counts one more."""
    config = config or config_store()
    orders = orders or OrderStore()
    number = counted_attempt or leases.next_attempt(message.operation_id)
    attempt = Attempt(
        message=message,
        number=number,
        facts={
            "order_id": message.order_id,
            "operation": message.operation.value,
            "reference": message.reference,
        },
    )
    outcome = _attempt(attempt, config, orders, deadline)
    summary = {
        "attempt": attempt.number,
        "historyRef": attempt.history_ref,
        "outcome": outcome.model_dump(by_alias=True, mode="json", exclude_none=True),
    }
    # A success is told once, by the outcome's line (operations.outcomes); a failed attempt
    # gets its own, since the run's next attempt may end differently and hide it.
    log = logger.debug if outcome.level == Level.SUCCESS else logger.info
    log(
        "delivery attempt",
        extra={"attempt": attempt.number, "code": outcome.code, "http_code": outcome.http_code},
    )
    if outcome.code in TRANSIENT_ERRORS_BY_CODE:
        raise TRANSIENT_ERRORS_BY_CODE[outcome.code](summary)
    return summary


def _attempt(
    attempt: Attempt, config: ConfigStore, orders: OrderStore, deadline: float | None
) -> Outcome:
    message = attempt.message
    try:
        integration = config.integration(message.merchant_id, message.integration_id)
        channel = config.channel(message.merchant_id, message.channel_id)
        state = orders.get(
            message.merchant_id, message.integration_id, message.channel_id, message.order_id
        )
    except (ClientError, BotoCoreError) as error:
        return attempt.record(
            catalog_outcome("Mapping Unavailable", detail=str(error), **attempt.facts)
        )
    if integration is None:
        missing = LookupError(f"integration {message.integration_id} is not configured")
        return attempt.record(classify(message.operation, error=missing, **attempt.facts))
    attempt.facts["channel_name"] = channel.name if channel else message.channel_id
    # Applied already: an earlier run reached the platform and crashed before recording it. The
    # same idempotency key brings back the platform's first answer; the rules would refuse it.
    repeat = lifecycle.already_applied(message, state)
    refusal = (
        None
        if repeat
        else lifecycle.check(
            message, state, channel_can_cancel=channel.supports_cancellation if channel else True
        )
    )
    if refusal is not None:
        return attempt.record(catalog_outcome(refusal.code, **{**attempt.facts, **refusal.facts}))
    try:
        attempt.translated = translate(
            message, integration, state.platform_order_id if state else None
        )
    except MappingProblem as problem:
        return attempt.record(catalog_outcome(problem.code, **{**attempt.facts, **problem.facts}))
    connector = PlatformConnector(integration, deadline)
    if message.operation is OperationType.CREATE and integration.sync_customers:
        stopped = sync_customer(attempt, connector, integration)
        if stopped is not None:
            return stopped
    outcome, response = _send(attempt, connector, integration)
    if (
        outcome.level in DONE
        and not repeat
        and (state is not None or message.operation is OperationType.CREATE)
    ):
        platform_order = response.json() if response is not None else None
        _keep_state(
            message,
            state,
            platform_order if isinstance(platform_order, dict) else {},
            orders,
            unconfirmed=outcome.level is Level.PENDING,
        )
    return attempt.record(outcome, response)


def _keep_state(
    message: OperationMessage,
    state: OrderState | None,
    platform_order: dict[str, Any],
    orders: OrderStore,
    *,
    unconfirmed: bool,
) -> None:
    """The order's state after the platform applied `message`. Another operation of the same
    order (an invoice and a shipment sent at once) may have changed it since this run read it;
    the platform applied both, so this run's change goes onto the order as it now is, rather
    than failing a delivery that succeeded."""
    try:
        orders.put(lifecycle.apply(message, state, platform_order, unconfirmed=unconfirmed))
    except StaleOrderState:
        if state is None:
            raise  # two creations of one order: not a change to apply again
        orders.change(
            message,
            lambda current: lifecycle.apply(
                message, current, platform_order, unconfirmed=unconfirmed
            ),
        )
