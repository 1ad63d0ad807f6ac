"""The benchmark's DynamoDB capacity units (bench.dynamo_units) and the tables' shapes read from
the template (bench.dynamo_meter), no AWS."""

from bench.dynamo_meter import table_shapes
from bench.dynamo_units import Index, TableShape, item_size, read_units, write_cost
from local.template import LocalTemplate

ALERTS = TableShape(
    "Alerts",
    ("pk", "sk"),
    (
        Index("by-updated", ("merchantId", "updatedAt"), "ALL"),
        Index("by-created", ("merchantId", "createdAt"), "KEYS_ONLY"),
        Index("needs-action", ("needsAction", "updatedAt"), "ALL"),
    ),
)


def alert_item(updated: str, *, needs_action: bool = False, note: str = "x") -> dict:
    item = {
        "pk": {"S": "m1"},
        "sk": {"S": "erp#order#1"},
        "merchantId": {"S": "m1"},
        "createdAt": {"S": "2026-11-24T09:00:00.000Z"},
        "updatedAt": {"S": updated},
        "note": {"S": note},
    }
    if needs_action:
        item["needsAction"] = {"S": "m1"}
    return item


def test_item_size_counts_names_and_values_as_dynamodb_does():
    assert item_size({"ab": {"S": "héllo"}}) == 2 + 6
    assert item_size({"n": {"N": "123.450"}}) == 1 + 4  # 5 significant digits: 3 bytes + 1
    assert item_size({"n": {"N": "0"}}) == 1 + 2
    assert item_size({"b": {"B": b"\x00\x01\x02"}, "t": {"BOOL": True}}) == 1 + 3 + 1 + 1
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert item_size({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
    assert item_size({"s": {"SS": ["a", "bc"]}}) == 1 + 3
    assert item_size(None) == 0


def test_capacity_units_round_up_by_kilobyte_for_writes_and_four_for_reads():
    assert read_units(0, consistent=False) == 0.5  # nothing found still costs
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=False) == 1
    small = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    big = {**small, "doc": {"S": "x" * 1500}}
    plain = TableShape("t", ("pk", "sk"))
    assert write_cost(plain, None, small).total == 1
    assert write_cost(plain, big, small).total == 2, "the larger of before and after"
    assert write_cost(plain, None, None).total == 1, "deleting nothing still costs a unit"
    assert write_cost(plain, big, None, applied=False).total == 2
    assert write_cost(plain, None, small, transactional=True).total == 2


def test_index_writes_follow_key_changes_projections_and_sparse_keys():
    first = write_cost(ALERTS, None, alert_item("t1", needs_action=True))
    assert (first.table_units, first.index_units) == (1, 3)
    # updatedAt moves: by-updated and needs-action each remove and add; by-created is unchanged.
    moved = write_cost(
        ALERTS, alert_item("t1", needs_action=True), alert_item("t2", needs_action=True)
    )
    assert moved.index_units == 4
    # Only a projected attribute changes: ALL indexes rewrite once, KEYS_ONLY not at all.
    noted = write_cost(ALERTS, alert_item("t1"), alert_item("t1", note="y"))
    assert noted.index_units == 1
    # Leaving the sparse index costs one removal there (and by-updated moves: 2).
    resolved = write_cost(ALERTS, alert_item("t1", needs_action=True), alert_item("t2"))
    assert resolved.index_units == 1 + 2
    assert write_cost(ALERTS, alert_item("t1"), alert_item("t1"), applied=False).index_units == 0


def test_table_shapes_come_from_the_template():
    shapes = table_shapes(LocalTemplate.load().sam)
    alerts = shapes["AlertsTable"]
    assert alerts.keys == ("pk", "sk")
    assert {index.name for index in alerts.indexes} == {
        "by-updated",
        "by-created",
        "by-code",
        "by-level",
        "needs-action",
    }
    assert shapes["ConfigTable"].indexes == ()
