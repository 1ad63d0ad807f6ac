from datetime import UTC, datetime, timedelta

from ordersync.alerts.models import Alert, AlertStatus
from ordersync.alerts.repository import AlertStore
from ordersync.catalog.codes import outcome
from ordersync.core.models import OperationType
from ordersync.history.models import HistoryRecord
from ordersync.history.repository import HistoryStore
from ordersync.operations.models import OperationStatus
from ordersync.operations.records import OperationStore, message_from_item

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def alert(code: str, status: AlertStatus, moment: datetime) -> Alert:
    return Alert(
        merchant_id="m1",
        entity_key="erp#order#WEB-1",
        integration_id="erp",
        channel_id="shop",
        identifier="WEB-1",
        operation_id="op-1",
        operation=OperationType.CREATE,
        status=status,
        outcome=outcome(code, order_id="WEB-1", detail="x", http_code=500),
        attempts=1,
        next_step="…",
        created_at=moment,
        updated_at=moment,
    )


def test_one_alert_per_entity_keeps_the_latest_response_and_its_first_creation(stack):
    store = AlertStore()
    store.upsert(alert("Order Creation Failed", AlertStatus.OPEN, T0))
    first = store.get("m1", "erp#order#WEB-1")
    assert first.status is AlertStatus.OPEN
    assert stack.item("AlertsTable", {"pk": {"S": "m1"}, "sk": {"S": "erp#order#WEB-1"}})[
        "needsAction"
    ] == {"S": "m1"}

    store.upsert(alert("Order Created", AlertStatus.RESOLVED, T0 + timedelta(minutes=5)))
    latest = store.get("m1", "erp#order#WEB-1")
    assert latest.outcome.code == "Order Created"
    assert latest.status is AlertStatus.RESOLVED
    assert latest.created_at == first.created_at
    assert latest.updated_at == T0 + timedelta(minutes=5)
    item = stack.item("AlertsTable", {"pk": {"S": "m1"}, "sk": {"S": "erp#order#WEB-1"}})
    assert "needsAction" not in item, "a resolved alert must leave the needs-action index"
    assert "merchantCode" not in item, "a success has no by-code entry"


def test_a_transient_error_is_open_but_does_not_need_action(stack):
    AlertStore().upsert(alert("Platform Unavailable", AlertStatus.OPEN, T0))
    item = stack.item("AlertsTable", {"pk": {"S": "m1"}, "sk": {"S": "erp#order#WEB-1"}})
    assert item["status"] == {"S": "open"}
    assert "needsAction" not in item


def test_history_is_append_only_and_large_content_is_compressed(stack):
    store = HistoryStore()
    big = '{"lines": "' + "x" * 40_000 + '"}'  # under the keep limit
    for attempt in (1, 2):
        store.append(
            HistoryRecord(
                operation_id="op-1",
                operation=OperationType.CREATE,
                direction="shop → erp",
                merchant_id="m1",
                integration_id="erp",
                channel_id="shop",
                identifier="WEB-1",
                entity_key="erp#order#WEB-1",
                attempt=attempt,
                outcome=outcome(
                    "Platform Unavailable" if attempt == 1 else "Order Created", order_id="WEB-1"
                ),
                content_source=big,
                content_translated="{}",
                created_at=T0 + timedelta(seconds=attempt),
            )
        )
    records = store.for_entity("m1", "erp#order#WEB-1")
    assert [r.attempt for r in records] == [2, 1]  # newest first
    assert records[0].content_source == big
    raw = stack.dynamodb.query(
        TableName=stack.resources["HistoryTable"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "m1#erp#order#WEB-1"}},
    )["Items"][0]
    assert "contentsZ" in raw  # the contents, compressed together
    assert "contentSource" not in raw
    assert len(raw["contentsZ"]["B"]) < len(big) / 10
    assert raw["merchantDay"] == {"S": "m1#2026-11-24"}
    assert int(raw["expiresAt"]["N"]) > T0.timestamp()


def stored_without_contents(stack, n: str) -> dict:
    """Order WEB-n's record with no contents, as the table holds it, to write an older form."""
    ref = HistoryStore().append(
        HistoryRecord(
            operation_id=f"op-{n}",
            operation=OperationType.CREATE,
            direction="shop → erp",
            merchant_id="m1",
            integration_id="erp",
            channel_id="shop",
            identifier=f"WEB-{n}",
            entity_key=f"erp#order#WEB-{n}",
            attempt=1,
            outcome=outcome("Order Created", order_id=f"WEB-{n}"),
            created_at=T0,
        )
    )
    pk, sk = ref.split("|")
    item = stack.item("HistoryTable", {"pk": {"S": pk}, "sk": {"S": sk}})
    return item


def test_a_record_written_with_its_contents_compressed_one_by_one_still_reads(stack):
    import base64
    import zlib

    answer = '{"error": "' + "y" * 5000 + '"}'
    item = stored_without_contents(stack, "9")
    legacy = base64.b64encode(zlib.compress(answer.encode())).decode()
    item |= {"contentSource": {"S": "{}"}, "contentDestinationGz": {"S": legacy}}
    stack.dynamodb.put_item(TableName=stack.resources["HistoryTable"], Item=item)
    (record,) = HistoryStore().for_entity("m1", "erp#order#WEB-9")
    assert (record.content_source, record.content_destination) == ("{}", answer)
    assert record.content_translated is None


def test_a_record_whose_contents_were_compressed_without_a_dictionary_still_reads(stack):
    import json
    import zlib

    contents = {"contentSource": '{"orderId":"WEB-8"}', "contentDestination": '{"id": "PO-8"}'}
    item = stored_without_contents(stack, "8")
    # As every record was written before the preset dictionary (core.compression).
    item["contentsZ"] = {"B": zlib.compress(json.dumps(contents).encode(), 6)}
    stack.dynamodb.put_item(TableName=stack.resources["HistoryTable"], Item=item)
    (record,) = HistoryStore().for_entity("m1", "erp#order#WEB-8")
    assert (record.content_source, record.content_destination) == (
        '{"orderId":"WEB-8"}',
        '{"id": "PO-8"}',
    )


def test_an_oversized_platform_answer_is_cut_so_the_record_still_fits(stack):
    import os

    from ordersync.history.repository import KEEP_AT_MOST_BYTES

    noise = os.urandom(600_000).hex()  # 1.2 MB that compression cannot shrink
    ref = HistoryStore().append(
        HistoryRecord(
            operation_id="op-2",
            operation=OperationType.CREATE,
            direction="shop → erp",
            merchant_id="m1",
            integration_id="erp",
            channel_id="shop",
            identifier="WEB-2",
            entity_key="erp#order#WEB-2",
            attempt=1,
            outcome=outcome("Invalid Api Response", order_id="WEB-2"),
            content_source=noise,
            content_translated=noise,
            content_destination=noise,
            created_at=T0,
        )
    )
    assert ref
    [record] = HistoryStore().for_entity("m1", "erp#order#WEB-2")
    assert record.content_destination.startswith(noise[:1000])
    assert record.content_destination.endswith(
        f"{len(noise) - KEEP_AT_MOST_BYTES} more bytes not kept]"
    )


def test_an_operation_item_stays_under_one_write_unit_and_gives_back_its_message(
    stack, accepted, order_request
):
    message = accepted(order_request, order_id="WEB-1")
    answer = outcome(
        "Platform Unavailable",
        operation="create",
        order_id="WEB-1",
        http_code=503,
        system_call="POST /orders",
    )
    OperationStore().record(
        message.operation_id,
        status=OperationStatus.FAILED,
        attempts=3,
        outcome=answer,
        where="retrying automatically (run 1 of 10 done)",
    )
    item = stack.item("OperationsTable", {"operationId": {"S": message.operation_id}})

    # Each update rewrites the whole item: under 1 KB it costs one write unit, not two.
    size = sum(
        len(name.encode()) + len(value.get("B") or str(next(iter(value.values()))).encode())
        for name, value in item.items()
    )
    assert size < 1024, size
    assert message_from_item(item).payload == order_request
