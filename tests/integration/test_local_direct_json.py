"""The stack's own DynamoDB and SQS requests reach moto's handlers without the HTTP request
moto's dispatch builds (`local.direct_json`), and come back as the server answers them: the
same battery of calls, in process and over HTTP, gives the same answers and the same errors."""

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from moto.core import request as moto_request

from local import direct_aws, direct_json
from tests.integration.direct_aws_support import local_session

# Answers that differ between any two calls, wherever they are answered.
VOLATILE = {"ResponseMetadata", "MessageId", "ReceiptHandle", "MD5OfMessageBody"}


def _stable(answer: Any) -> Any:
    if isinstance(answer, dict):
        return {k: _stable(v) for k, v in answer.items() if k not in VOLATILE}
    if isinstance(answer, list):
        return [_stable(v) for v in answer]
    return answer


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return _stable(call())
    except ClientError as error:
        return {
            "error": error.response["Error"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }


def _dynamodb_battery(client: Any, table: str) -> list[Any]:
    key = {"id": {"S": "a"}}
    blob = {"B": b"\x00\xffnot utf-8"}
    return [
        _outcome(
            lambda: client.put_item(TableName=table, Item={**key, "n": {"N": "1"}, "b": blob})
        ),
        _outcome(lambda: client.get_item(TableName=table, Key=key, ConsistentRead=True)),
        _outcome(
            lambda: client.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET #n = #n + :one, #s = if_not_exists(#s, :set) REMOVE #gone",
                ConditionExpression="attribute_exists(#n)",
                ExpressionAttributeNames={"#n": "n", "#s": "s", "#gone": "gone"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":set": {"SS": ["x", "y"]}},
                ReturnValues="ALL_NEW",
            )
        ),
        _outcome(
            lambda: client.put_item(
                TableName=table,
                Item=key,
                ConditionExpression="attribute_not_exists(id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        ),
        _outcome(lambda: client.get_item(TableName=table, Key={"nope": {"S": "a"}})),
        _outcome(lambda: client.get_item(TableName="no-such-table", Key=key)),
        _outcome(
            lambda: client.query(
                TableName=table,
                KeyConditionExpression="id = :id",
                ExpressionAttributeValues={":id": {"S": "a"}},
            )
        ),
        _outcome(lambda: client.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")),
        _outcome(lambda: client.describe_table(TableName=table)["Table"]["KeySchema"]),
    ]


def _sqs_battery(client: Any, name: str) -> list[Any]:
    url = client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sent = client.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 1}))
    received = client.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageSystemAttributeNames=["All"]
    )
    handle = received["Messages"][0]["ReceiptHandle"]
    answers = [
        url.rsplit("/", 1)[1],
        "MessageId" in sent,
        [m["Body"] for m in received["Messages"]],
        _outcome(
            lambda: client.change_message_visibility(
                QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0
            )
        ),
        _outcome(
            lambda: client.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": "1", "ReceiptHandle": handle}]
            )
        ),
        _outcome(
            lambda: client.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )
        ),
        _outcome(lambda: client.send_message(QueueUrl=url + "-missing", MessageBody="x")),
        _outcome(lambda: client.get_queue_url(QueueName=name)["QueueUrl"].rsplit("/", 1)[1]),
    ]
    client.delete_queue(QueueUrl=url)
    return answers


def _table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_dynamodb_and_sqs_answer_in_process_as_over_http(moto_endpoint: str, monkeypatch) -> None:
    built: list[str] = []
    from_primitives = moto_request.Request.from_primitives.__func__  # type: ignore[attr-defined]

    def counted(cls: Any, method: str, url: str, *rest: Any) -> Any:
        built.append(url)
        return from_primitives(cls, method, url, *rest)

    monkeypatch.setattr(moto_request.Request, "from_primitives", classmethod(counted))
    over_http = local_session()
    answers: dict[str, tuple[list[Any], list[Any]]] = {}
    requests_built: dict[str, int] = {}
    for way in ("light", "moto dispatch", "http"):
        # One name for all three (answers name their table), each made afresh.
        name = "direct-json"
        _table(over_http.client("dynamodb", endpoint_url=moto_endpoint), name)
        dispatch = direct_aws.DirectDispatch(moto_endpoint)
        session = over_http if way == "http" else local_session(dispatch)
        with monkeypatch.context() as patched:
            if way == "moto dispatch":
                patched.setattr(direct_json, "handles", lambda request: False)
            before = len(built)
            answers[way] = (
                _dynamodb_battery(session.client("dynamodb", endpoint_url=moto_endpoint), name),
                _sqs_battery(session.client("sqs", endpoint_url=moto_endpoint), name),
            )
            requests_built[way] = len(built) - before
        over_http.client("dynamodb", endpoint_url=moto_endpoint).delete_table(TableName=name)

    assert answers["light"] == answers["moto dispatch"] == answers["http"]
    dynamodb, sqs = answers["light"]
    assert dynamodb[1]["Item"]["b"] == {"B": b"\x00\xffnot utf-8"}
    assert dynamodb[3]["error"]["Code"] == "ConditionalCheckFailedException"
    assert dynamodb[3]["status"] == 400
    assert dynamodb[5]["error"]["Code"] == "ResourceNotFoundException"
    assert sqs[6]["status"] == 400
    # In process, the light way built no werkzeug request; moto's own dispatch built one for
    # each call (so the count can tell them apart).
    assert requests_built["light"] == 0
    assert requests_built["moto dispatch"] >= len(dynamodb) + len(sqs)
