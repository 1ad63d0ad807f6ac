"""moto's SQS with the local stack's patches answers as it did: visibility, delays, counts and
retention; it only stops reading the clock per message and per question."""

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.sqs import models as sqs_models

from local import moto_sqs

REGION = "us-east-1"


@pytest.fixture
def sqs() -> Iterator[Any]:
    moto_sqs.apply()
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def _counts(sqs: Any, url: str) -> dict[str, str]:
    return sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]


def test_visible_in_flight_and_delayed_messages_are_told_apart(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="told-apart")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"now-{n}")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)

    taken = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60)
    assert len(taken["Messages"]) == 2
    assert _counts(sqs, url) == {
        "ApproximateNumberOfMessages": "1",
        "ApproximateNumberOfMessagesNotVisible": "2",
        "ApproximateNumberOfMessagesDelayed": "1",
    }
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [message["Body"] for message in rest] == ["now-2"]


def test_a_message_given_back_is_received_again(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="given-back")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="once more")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)

    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0
    )
    again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])
    assert again["Messages"][0]["Body"] == "once more"
    assert again["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_waiting_receive_gets_a_message_sent_meanwhile(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="waited")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
    started = time.monotonic()
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)
    assert received["Messages"][0]["Body"] == "soon"
    assert time.monotonic() - started < 3


def test_a_message_past_the_retention_period_is_not_handed_out(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="retained", Attributes={"MessageRetentionPeriod": "60"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    sqs.send_message(QueueUrl=url, MessageBody="new")
    queue = sqs_models.sqs_backends["123456789012"][REGION].get_queue("retained")
    queue._messages[0].sent_timestamp -= 61_000

    # moto stops at the first expired message and hides it, as before the patch.
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["new"]


def test_one_receive_reads_the_clock_once_not_per_message_in_flight(
    sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqs.create_queue(QueueName="busy")["QueueUrl"]
    for start in range(0, 200, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": str(n)} for n in range(start, start + 10)],
        )
    for _ in range(19):
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)

    reads = 0
    clock = time.time

    def counted() -> float:
        nonlocal reads
        reads += 1
        return clock()

    monkeypatch.setattr(moto_sqs.time, "time", counted)
    datetime_reads = 0
    stock_millis = sqs_models.unix_time_millis

    def counted_millis(*args: Any) -> float:
        nonlocal datetime_reads
        datetime_reads += 1
        return stock_millis(*args)

    monkeypatch.setattr(sqs_models, "unix_time_millis", counted_millis)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    assert len(received) == 10
    # A few reads per message handed out; moto's own walk read it thousands of times, per
    # message in flight (190 here) and again for each message handed out.
    assert reads + datetime_reads <= 5 * len(received)


def test_a_visibility_change_finds_its_message_by_its_new_or_an_old_handle(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="handles")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="handled")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
    second = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"][0]
    assert first["ReceiptHandle"] != second["ReceiptHandle"]

    for handle in (second["ReceiptHandle"], first["ReceiptHandle"]):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=60)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle="not-a-handle", VisibilityTimeout=1
        )
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    assert _counts(sqs, url)["ApproximateNumberOfMessagesNotVisible"] == "0"
