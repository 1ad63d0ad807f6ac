"""The local stack answers its own process's AWS calls from moto's backends in process
(`local.direct_aws`): the same backends the HTTP server serves, errors as the server answers
them, and nothing for a URL or process that is not the stack's."""

import json
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import DynamoDBBackend

from local import aws_faults, direct_aws
from tests.integration.direct_aws_support import local_session

TABLE = "direct-aws-orders"


@pytest.fixture
def dispatch(moto_endpoint: str) -> direct_aws.DirectDispatch:
    return direct_aws.DirectDispatch(moto_endpoint)


@pytest.fixture
def table(moto_endpoint: str) -> Iterator[None]:
    over_http = local_session().client("dynamodb", endpoint_url=moto_endpoint)
    over_http.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    yield
    over_http.delete_table(TableName=TABLE)


def test_in_process_calls_reach_the_backends_the_server_serves(
    moto_endpoint: str, dispatch: direct_aws.DirectDispatch, table: None
) -> None:
    direct = local_session(dispatch).client("dynamodb", endpoint_url=moto_endpoint)
    over_http = local_session().client("dynamodb", endpoint_url=moto_endpoint)

    direct.put_item(TableName=TABLE, Item={"id": {"S": "a"}, "n": {"N": "1"}})
    over_http.put_item(TableName=TABLE, Item={"id": {"S": "b"}, "n": {"N": "2"}})

    assert over_http.get_item(TableName=TABLE, Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "1"}
    assert direct.get_item(TableName=TABLE, Key={"id": {"S": "b"}})["Item"]["n"] == {"N": "2"}
    assert dispatch.answered == 2


def test_a_service_is_found_from_the_signature_and_target_not_the_host(
    moto_endpoint: str, dispatch: direct_aws.DirectDispatch, table: None
) -> None:
    """DynamoDB Streams signs as "dynamodb": its target header tells the two apart, as on the
    server; SQS answers with the queue URL a client of this endpoint can use."""
    session = local_session(dispatch)
    session.client("dynamodb", endpoint_url=moto_endpoint).put_item(
        TableName=TABLE, Item={"id": {"S": "streamed"}}
    )
    streams = session.client("dynamodbstreams", endpoint_url=moto_endpoint)
    arn = streams.list_streams(TableName=TABLE)["Streams"][0]["StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in records] == ["streamed"]

    sqs = session.client("sqs", endpoint_url=moto_endpoint)
    url = sqs.create_queue(QueueName="direct-aws-queue")["QueueUrl"]
    try:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 1}))
        over_http = local_session().client("sqs", endpoint_url=moto_endpoint)
        received = over_http.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
        assert [json.loads(m["Body"]) for m in received] == [{"n": 1}]
    finally:
        sqs.delete_queue(QueueUrl=url)
    assert dispatch.answered == 8


def test_errors_come_back_as_the_server_answers_them(
    moto_endpoint: str, dispatch: direct_aws.DirectDispatch, table: None, monkeypatch
) -> None:
    direct = local_session(dispatch).client("dynamodb", endpoint_url=moto_endpoint)
    over_http = local_session().client("dynamodb", endpoint_url=moto_endpoint)
    direct.put_item(TableName=TABLE, Item={"id": {"S": "taken"}})
    with pytest.raises(ClientError) as refused:
        direct.put_item(
            TableName=TABLE,
            Item={"id": {"S": "taken"}},
            ConditionExpression="attribute_not_exists(id)",
        )
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    def crash(*_: object, **__: object) -> None:
        raise KeyError("moto's own bug")

    monkeypatch.setattr(DynamoDBBackend, "get_item", crash)
    crashes = []
    for client in (direct, over_http):
        with pytest.raises(ClientError) as crashed:
            client.get_item(TableName=TABLE, Key={"id": {"S": "taken"}})
        crashes.append(crashed.value.response["ResponseMetadata"])
    # A 500, retried as botocore retries the server's, not moto's KeyError.
    assert [c["HTTPStatusCode"] for c in crashes] == [500, 500]
    assert crashes[0]["RetryAttempts"] == crashes[1]["RetryAttempts"] > 0


def test_other_urls_and_forked_children_are_left_to_http(
    moto_endpoint: str, dispatch: direct_aws.DirectDispatch, table: None
) -> None:
    elsewhere = direct_aws.DirectDispatch("http://127.0.0.1:1")
    elsewhere_client = local_session(elsewhere).client("dynamodb", endpoint_url=moto_endpoint)
    elsewhere_client.put_item(TableName=TABLE, Item={"id": {"S": "over-http"}})
    assert elsewhere.answered == 0

    dispatch.pid = -1  # as in a child forked after install: its backends are a copy
    child = local_session(dispatch).client("dynamodb", endpoint_url=moto_endpoint)
    assert child.get_item(TableName=TABLE, Key={"id": {"S": "over-http"}})["Item"]
    assert dispatch.answered == 0


def test_injected_aws_faults_still_answer_before_moto_does(
    moto_endpoint: str, dispatch: direct_aws.DirectDispatch, table: None, monkeypatch
) -> None:
    monkeypatch.setattr(aws_faults, "_called_by_ordersync", lambda: True)
    session = local_session(dispatch)
    injector = aws_faults.FaultInjector(rate=0.999, seed=1)
    session.events.register("before-call", injector)
    client = session.client("dynamodb", endpoint_url=moto_endpoint)

    with pytest.raises(ClientError) as throttled:
        client.put_item(TableName=TABLE, Item={"id": {"S": "throttled"}})

    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert injector.injected["dynamodb.PutItem"] >= 1
    assert dispatch.answered == 0
    assert "Item" not in client.get_item(TableName=TABLE, Key={"id": {"S": "throttled"}})
    assert dispatch.answered == 1


def test_the_stack_s_requests_carry_only_their_credential_scope_and_presigned_links_are_signed(
    moto_endpoint: str, table: None
) -> None:
    session = local_session()
    scope = direct_aws.CredentialScope(moto_endpoint)
    session.events.register("choose-signer", scope.choose_signer)
    session.events.register("before-sign", scope.name_service)
    sent: list[str] = []
    session.events.register(
        "before-send", lambda request, **_: sent.append(request.headers["Authorization"].decode())
    )

    # Over HTTP, as a forked environment sends them: moto finds the service from the scope.
    dynamodb = session.client("dynamodb", endpoint_url=moto_endpoint)
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": "scoped"}})
    assert dynamodb.get_item(TableName=TABLE, Key={"id": {"S": "scoped"}})["Item"]
    queues = session.client("sqs", endpoint_url=moto_endpoint)
    assert queues.create_queue(QueueName="scoped")["QueueUrl"].endswith("/scoped")
    assert all("Signature=unsigned-local" in header for header in sent)
    assert "/us-east-1/dynamodb/aws4_request" in sent[0]
    assert "/us-east-1/sqs/aws4_request" in sent[-1]

    link = session.client("s3", endpoint_url=moto_endpoint).generate_presigned_url(
        "get_object", Params={"Bucket": "exports", "Key": "a.csv"}, ExpiresIn=60
    )
    assert "Signature=" in link
    assert "unsigned" not in link
