"""moto's Query with the local stack's patch finds the same items in the same order, page by
page, on the table's key and on an index, and no longer sorts the whole table to do it."""

import random
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import DynamoType

from local import moto_queries

REGION = "us-east-1"
# A name of its own per test: the suite's stack may hold moto's state across tests.
TABLE = f"queried-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    moto_queries.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        if TABLE in client.list_tables()["TableNames"]:
            client.delete_table(TableName=TABLE)
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("pk", "sk", "status", "at")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def _seed(dynamodb: Any, count: int, seed: int = 3) -> list[dict[str, str]]:
    draw = random.Random(seed)
    items = []
    for n in range(count):
        item = {"pk": f"p{draw.randrange(4)}", "sk": f"s{n:04d}", "status": draw.choice("ab")}
        if draw.random() < 0.8:  # the rest are not in the index
            item["at"] = f"t{draw.randrange(6)}"  # many ties: the table's keys break them
        dynamodb.put_item(TableName=TABLE, Item={k: {"S": v} for k, v in item.items()})
        items.append(item)
    return items


def _all_pages(dynamodb: Any, **query: Any) -> list[str]:
    found: list[str] = []
    while True:
        page = dynamodb.query(TableName=TABLE, Limit=4, **query)
        found += [item["sk"]["S"] for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.mark.parametrize("forward", [True, False])
def test_a_partition_of_the_table_comes_in_its_sort_key_order(dynamodb: Any, forward: bool) -> None:
    items = _seed(dynamodb, 80)
    expected = sorted(item["sk"] for item in items if item["pk"] == "p2")

    found = _all_pages(
        dynamodb,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p2"}},
        ScanIndexForward=forward,
    )

    assert found == (expected if forward else expected[::-1])
    assert expected


@pytest.mark.parametrize("forward", [True, False])
def test_an_index_partition_comes_in_the_index_order_then_the_table_keys(
    dynamodb: Any, forward: bool
) -> None:
    items = _seed(dynamodb, 80)
    in_index = [item for item in items if item["status"] == "a" and item.get("at", "") > "t0"]
    expected = [i["sk"] for i in sorted(in_index, key=lambda i: (i["at"], i["pk"], i["sk"]))]

    found = _all_pages(
        dynamodb,
        IndexName="by-status",
        KeyConditionExpression="#s = :s AND #at > :t",
        ExpressionAttributeNames={"#s": "status", "#at": "at"},
        ExpressionAttributeValues={":s": {"S": "a"}, ":t": {"S": "t0"}},
        ScanIndexForward=forward,
    )

    assert found == (expected if forward else expected[::-1])
    assert len(expected) > 8


def test_a_scan_still_reads_every_item(dynamodb: Any) -> None:
    items = _seed(dynamodb, 30)
    scanned = dynamodb.scan(TableName=TABLE)["Items"]
    assert sorted(item["sk"]["S"] for item in scanned) == sorted(item["sk"] for item in items)


def test_a_query_no_longer_sorts_the_whole_table(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for start in range(0, 2000, 25):
        dynamodb.batch_write_item(
            RequestItems={
                TABLE: [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"p{n}"},
                                "sk": {"S": "s"},
                                "status": {"S": "b"},
                                "at": {"S": "t"},
                            }
                        }
                    }
                    for n in range(start, start + 25)
                ]
            }
        )
    for n in range(3):
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": f"q{n}"},
                "sk": {"S": "s"},
                "status": {"S": "a"},
                "at": {"S": f"t{n}"},
            },
        )
    comparisons = 0
    stock_lt = DynamoType.__lt__

    def counted_lt(self: DynamoType, other: DynamoType) -> bool:
        nonlocal comparisons
        comparisons += 1
        return stock_lt(self, other)

    monkeypatch.setattr(DynamoType, "__lt__", counted_lt)
    by_index = dynamodb.query(
        TableName=TABLE,
        IndexName="by-status",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "a"}},
    )
    by_key = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p7"}},
    )

    assert [item["pk"]["S"] for item in by_index["Items"]] == ["q0", "q1", "q2"]
    assert [item["pk"]["S"] for item in by_key["Items"]] == ["p7"]
    # Sorting the 2,003 items first took about 4,000 comparisons a query.
    assert comparisons < 50
