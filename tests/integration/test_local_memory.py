"""The local stack's moto holds the tables' items, not what DynamoDB lets go of or what every
item repeats (`local.streams`, `local.moto_retention`)."""

from moto.dynamodb.models import dynamodb_backends

from local.moto_retention import share_attribute_names, share_short_values
from local.streams import TableStream

ACCOUNT, REGION = "123456789012", "us-east-1"


def _put_alerts(stack, first: int, count: int) -> None:
    for n in range(first, first + count):
        stack.dynamodb.put_item(
            TableName=stack.resources["AlertsTable"],
            Item={"pk": {"S": "m#demo"}, "sk": {"S": f"alert#{n}"}, "note": {"S": str(n)}},
        )


def _notes(records: list[dict]) -> list[str]:
    return [record["dynamodb"]["NewImage"]["note"]["S"] for record in records]


def test_a_stream_record_is_let_go_once_every_reader_has_passed_it(stack):
    notifier, other = (TableStream(stack.resources["AlertsTable"]) for _ in range(2))
    shard = notifier.shard
    _put_alerts(stack, 0, 5)

    first = notifier.read(3)
    notifier.advance(len(first))
    assert _notes(first) == ["0", "1", "2"]
    assert len(shard.items) == 5, "the other reader has not passed any record yet"

    other.advance(len(other.read(4)))
    assert len(shard.items) == 2, "both passed the first three"
    _put_alerts(stack, 5, 2)
    rest = notifier.read(10)
    assert _notes(rest) == ["3", "4", "5", "6"]
    numbers = [int(record["dynamodb"]["SequenceNumber"]) for record in first + rest]
    assert numbers == sorted(set(numbers)), "numbers keep rising across the cut"
    notifier.advance(len(rest))
    assert _notes(other.read(10)) == ["4", "5", "6"]


def test_a_reader_gone_holds_no_record_back(stack):
    TableStream(stack.resources["AlertsTable"])  # made and dropped, as a test's stream is
    notifier = TableStream(stack.resources["AlertsTable"])
    _put_alerts(stack, 0, 3)
    notifier.advance(len(notifier.read()))
    assert notifier.shard.items == []


def test_every_item_shares_one_copy_of_each_attribute_name(stack):
    share_attribute_names()
    _put_alerts(stack, 0, 2)
    table = dynamodb_backends[ACCOUNT][REGION].get_table(stack.resources["AlertsTable"])
    first, second = list(table.all_items())[:2]
    names = dict(zip(first.attrs, second.attrs, strict=True))
    assert names == {"pk": "pk", "sk": "sk", "note": "note"}
    assert all(a is b for a, b in names.items())


def test_items_share_one_copy_of_each_short_value_but_not_of_long_ones(stack):
    share_short_values()
    moment = "2026-11-30T06:00:00.123456+00:00"
    for n in range(2):
        stack.dynamodb.put_item(
            TableName=stack.resources["AlertsTable"],
            Item={
                "pk": {"S": "m#demo"},
                "sk": {"S": f"alert#{n}"},
                "status": {"S": "".join(["op", "en"])},  # a string of its own each time
                "at": {"S": moment[:-1] + moment[-1]},
            },
        )
    table = dynamodb_backends[ACCOUNT][REGION].get_table(stack.resources["AlertsTable"])
    first, second = list(table.all_items())[:2]
    assert first.attrs["pk"].value is second.attrs["pk"].value
    assert first.attrs["status"].value is second.attrs["status"].value == "open"
    assert first.attrs["at"].value == second.attrs["at"].value == moment
    assert first.attrs["at"].value is not second.attrs["at"].value
