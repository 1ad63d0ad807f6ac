"""moto's DynamoDB item answers written as JSON directly (`local/moto_answers.py`) say what
botocore's shapes say: every answer of a battery of item operations is serialised both ways and
compared, and the client reads the same values."""

import json
import uuid
from typing import Any

import boto3
import pytest
import xmltodict
from moto import mock_aws
from moto.core.exceptions import JsonRESTError
from moto.dynamodb import exceptions as dynamodb_errors
from moto.dynamodb.responses import DynamoResult

from local import moto_answers

REGION = "us-east-1"


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, Any]]:
    """Each item operation's answer, serialised by moto's shapes and by the patch."""
    moto_answers.apply()
    patched = DynamoResult.execute_result
    compared: list[tuple[str, Any, Any]] = []

    def both(result: Any, context: Any) -> Any:
        shaped = super(DynamoResult, result).execute_result(context)
        direct = patched(result, context)
        name = context.operation_model.name
        if name in moto_answers.ITEM_OPERATIONS:
            # Copies: moto adds its common headers to the answer it is given afterwards.
            compared.append((name, _copy(shaped), _copy(direct)))
        return direct

    monkeypatch.setattr(DynamoResult, "execute_result", both)
    return compared


def _copy(answer: tuple[int, dict[str, str], str]) -> tuple[int, dict[str, str], str]:
    status, headers, body = answer
    return status, dict(headers), body


def _battery(dynamodb: Any) -> str:
    # A name of its own: the suite's moto state may outlive one test's mock.
    table = f"things-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "kind", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-kind",
                "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    every_type = {
        "pk": {"S": "p"},
        "kind": {"S": "k"},
        "words": {"S": "héllo ✓"},
        "number": {"N": "12345678901234567890.123"},
        "bytes": {"B": b"\x00\xffzip"},
        "strings": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2.5"]},
        "blobs": {"BS": [b"\x01", b"\x02\x03"]},
        "nothing": {"NULL": True},
        "flag": {"BOOL": False},
        "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x04"}]}}},
        "empty": {"M": {}},
    }
    for n in range(5):
        dynamodb.put_item(TableName=table, Item={**every_type, "sk": {"S": f"s{n}"}})
    key = {"pk": {"S": "p"}, "sk": {"S": "s0"}}
    dynamodb.put_item(
        TableName=table, Item={**every_type, "sk": {"S": "s0"}}, ReturnValues="ALL_OLD"
    )
    dynamodb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    dynamodb.get_item(TableName=table, Key={"pk": {"S": "none"}, "sk": {"S": "none"}})
    dynamodb.get_item(
        TableName=table,
        Key=key,
        ProjectionExpression="#b, nested.list[2]",
        ExpressionAttributeNames={"#b": "bytes"},
    )
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #n = #n + :one ADD strings :more REMOVE flag",
        ExpressionAttributeNames={"#n": "number"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":more": {"SS": ["c"]}},
        ReturnValues="ALL_NEW",
        ReturnConsumedCapacity="INDEXES",
    )
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET words = :t",
        ExpressionAttributeValues={":t": {"S": "new"}},
        ReturnValues="UPDATED_OLD",
    )
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET fresh = :t",
        ExpressionAttributeValues={":t": {"S": "v"}},
    )
    page = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Limit=2,
        ReturnConsumedCapacity="TOTAL",
    )
    dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey=page["LastEvaluatedKey"],
        ScanIndexForward=False,
    )
    dynamodb.query(
        TableName=table,
        IndexName="by-kind",
        KeyConditionExpression="kind = :k",
        ExpressionAttributeValues={":k": {"S": "k"}},
    )
    dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "nobody"}},
        Select="COUNT",
    )
    dynamodb.scan(
        TableName=table,
        FilterExpression="attribute_exists(#b)",
        ExpressionAttributeNames={"#b": "bytes"},
        Limit=3,
    )
    dynamodb.batch_get_item(
        RequestItems={
            table: {
                "Keys": [
                    key,
                    {"pk": {"S": "p"}, "sk": {"S": "s1"}},
                    {"pk": {"S": "x"}, "sk": {"S": "y"}},
                ],
                "ConsistentRead": True,
            }
        },
        ReturnConsumedCapacity="TOTAL",
    )
    dynamodb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {**every_type, "sk": {"S": "s9"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"S": "s4"}}}},
            ]
        }
    )
    dynamodb.transact_get_items(
        TransactItems=[{"Get": {"TableName": table, "Key": key}}],
        ReturnConsumedCapacity="TOTAL",
    )
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {**every_type, "sk": {"S": "t"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "p"}, "sk": {"S": "s3"}}}},
        ]
    )
    dynamodb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    dynamodb.delete_item(TableName=table, Key=key)
    return table


def test_item_answers_say_what_the_shapes_say(answers: list[tuple[str, Any, Any]]) -> None:
    with mock_aws():
        _battery(boto3.client("dynamodb", region_name=REGION))
    assert {name for name, _, _ in answers} == moto_answers.ITEM_OPERATIONS
    for name, (status, headers, body), (direct_status, direct_headers, direct_body) in answers:
        assert (name, direct_status) == (name, status)
        assert (name, direct_headers) == (name, headers)
        assert (name, json.loads(direct_body)) == (name, json.loads(body))


def test_the_client_reads_binary_values_back() -> None:
    moto_answers.apply()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        table = _battery(dynamodb)
        item = dynamodb.get_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "s1"}})["Item"]
    assert item["bytes"] == {"B": b"\x00\xffzip"}
    assert item["blobs"] == {"BS": [b"\x01", b"\x02\x03"]}
    assert item["nested"]["M"]["list"]["L"][2] == {"B": b"\x04"}


@pytest.mark.parametrize(
    "error",
    [
        lambda: dynamodb_errors.ProvidedKeyDoesNotExist(),
        lambda: dynamodb_errors.ConditionalCheckFailed(),
        lambda: dynamodb_errors.ResourceNotFoundException(),
        lambda: dynamodb_errors.MockValidationException("One or more parameter values"),
    ],
)
def test_json_errors_are_what_moto_made_without_the_xml(error: Any, monkeypatch) -> None:
    moto_answers.apply()
    made = error()
    monkeypatch.setattr(JsonRESTError, "__init__", moto_answers.XML_THEN_JSON)
    made_with_xml = error()
    assert vars(made) == vars(made_with_xml)
    assert (made.code, made.get_headers(), made.get_body()) == (
        made_with_xml.code,
        made_with_xml.get_headers(),
        made_with_xml.get_body(),
    )
    assert json.loads(made.get_body())["__type"].endswith(made.error_type.split("#")[-1])


def test_an_error_used_for_control_flow_builds_no_xml(monkeypatch) -> None:
    moto_answers.apply()

    def no_xml(*_: Any, **__: Any) -> str:
        raise AssertionError("built an XML body for a JSON error")

    monkeypatch.setattr(xmltodict, "unparse", no_xml)
    assert dynamodb_errors.ProvidedKeyDoesNotExist().get_body()
    monkeypatch.setattr(JsonRESTError, "__init__", moto_answers.XML_THEN_JSON)
    with pytest.raises(AssertionError, match="XML body"):
        dynamodb_errors.ProvidedKeyDoesNotExist()
