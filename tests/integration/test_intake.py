import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationType
from ordersync.operations import intake
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore, message_from_item


def request(payload, order_id="WEB-1", merchant_id="m1"):
    return intake.AcceptRequest(
        channel_id="shop",
        merchant_id=merchant_id,
        integration_id="erp",
        operation=OperationType.CREATE,
        order_id=order_id,
        payload=payload,
    )


def test_an_accepted_operation_is_recorded_and_queued_once(stack, order_request):
    first = intake.accept(request(order_request))
    again = intake.accept(request(order_request))
    assert first.operation_id == again.operation_id
    assert first.status.value == "pending"
    assert stack.queue_depth() == 1
    body = json.loads(
        stack.sqs.receive_message(QueueUrl=stack.resources["OperationsQueue"])["Messages"][0][
            "Body"
        ]
    )
    assert body["operationId"] == first.operation_id
    assert body["payload"] == order_request
    assert OperationStore().get(first.operation_id).status.value == "pending"


def test_the_same_operation_with_another_body_is_refused(stack, order_request):
    intake.accept(request(order_request))
    changed = {**order_request, "grandTotal": "99.00"}
    with pytest.raises(intake.ConflictingRepeat):
        intake.accept(request(changed))
    assert stack.queue_depth() == 1


def test_a_corrected_body_for_an_operation_waiting_for_a_person_is_resent(stack, order_request):
    first = intake.accept(request(order_request))
    rejected = outcome("Order Creation Failed", order_id="WEB-1", detail="unknown SKU")
    OperationStore().record(
        first.operation_id, status=OperationStatus.FAILED, attempts=1, outcome=rejected, where="x"
    )
    corrected = {**order_request, "grandTotal": "99.00"}

    again = intake.accept(request(corrected))

    assert (again.operation_id, again.status) == (first.operation_id, OperationStatus.PENDING)
    assert stack.queue_depth() == 2
    stored = stack.item("OperationsTable", {"operationId": {"S": first.operation_id}})
    assert message_from_item(stored).payload == corrected
    assert intake.accept(request(corrected)).operation_id == first.operation_id
    assert stack.queue_depth() == 2, "a repeat of the correction is not queued again"


def test_operation_ids_are_derived_from_merchant_channel_operation_and_order():
    a = intake.operation_id_for("m1", "shop", OperationType.CREATE, "WEB-1")
    assert a == intake.operation_id_for("m1", "shop", OperationType.CREATE, "WEB-1")
    assert a != intake.operation_id_for("m1", "shop", OperationType.CANCEL, "WEB-1")
    assert a != intake.operation_id_for("m1", "other", OperationType.CREATE, "WEB-1")
    assert a != intake.operation_id_for("m2", "shop", OperationType.CREATE, "WEB-1")
    # No way to make two different tuples spell the same name.
    assert intake.operation_id_for("m1", "shop", OperationType.CREATE, "a", "b") != (
        intake.operation_id_for("m1", "shop", OperationType.CREATE, "a|b")
    )


def test_two_merchants_with_the_same_channel_id_and_order_id_have_two_operations(
    stack, order_request
):
    """Channel ids are unique per merchant only: another merchant's "shop" sending WEB-1 is not
    a repeat of the first merchant's (nor a 409), and gets its own operation."""
    first = intake.accept(request(order_request, merchant_id="m1"))
    other = intake.accept(request({**order_request, "grandTotal": "1.00"}, merchant_id="m2"))

    assert other.operation_id != first.operation_id
    assert stack.queue_depth() == 2
    stored = OperationStore().get(other.operation_id)
    assert stored is not None
    assert stored.merchant_id == "m2"


def test_a_later_repeat_is_recognised_from_the_operation_record_alone(stack, order_request):
    first = intake.accept(request(order_request))
    assert set(stack.resources) >= {"OperationsTable"}
    assert not any("Idempotency" in logical_id for logical_id in stack.resources)
    again = intake.accept(request(order_request))
    assert again.operation_id == first.operation_id
    assert stack.queue_depth() == 1, "recognised by its derived id: not queued again"
    with pytest.raises(intake.ConflictingRepeat):
        intake.accept(request({**order_request, "grandTotal": "1.00"}))


def test_identical_copies_accepted_at_once_all_get_the_first_answer(stack, order_request):
    copies = 16
    start = threading.Barrier(copies)

    def accept(_: int) -> intake.AcceptedOperation:
        start.wait(timeout=10)
        return intake.accept(request(order_request))

    with ThreadPoolExecutor(max_workers=copies) as pool:
        answers = list(pool.map(accept, range(copies)))

    assert {(a.operation_id, a.status.value) for a in answers} == {
        (answers[0].operation_id, "pending")
    }
    assert stack.queue_depth() == 1
