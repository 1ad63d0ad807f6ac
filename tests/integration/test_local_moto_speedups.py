"""What the local stack caches in moto changes nothing moto answers: the same expression or
path on other data gives that data's answer, and a StartSyncExecution waiter wakes when its
execution ends, not on a poll."""

import json
import threading
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.config import default_user_config
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from local import embedded_aws, moto_retention, moto_speedups

ACCOUNT, REGION = "123456789012", "us-east-1"
UPDATE = "SET #s = :s, attempts = if_not_exists(attempts, :zero) + :one"


def _table(name: str) -> Any:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


@mock_aws
def test_one_parsed_update_expression_serves_different_items_and_values() -> None:
    moto_speedups.apply()
    dynamodb = _table("updated")
    before = UpdateExpressionParser.make.cache_info().hits  # type: ignore[attr-defined]

    def update(key: str, status: str) -> None:
        dynamodb.update_item(
            TableName="updated",
            Key={"id": {"S": key}},
            UpdateExpression=UPDATE,
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": {"S": status},
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
            },
        )

    update("a", "pending")
    update("b", "failed")
    update("a", "synced")

    a = dynamodb.get_item(TableName="updated", Key={"id": {"S": "a"}})["Item"]
    b = dynamodb.get_item(TableName="updated", Key={"id": {"S": "b"}})["Item"]
    assert (a["status"]["S"], a["attempts"]["N"]) == ("synced", "2")
    assert (b["status"]["S"], b["attempts"]["N"]) == ("failed", "1")
    assert UpdateExpressionParser.make.cache_info().hits >= before + 2  # type: ignore[attr-defined]


def test_one_compiled_json_path_serves_different_documents() -> None:
    moto_speedups.apply()

    assert json_path.extract_json("$.message.operation", {"message": {"operation": "create"}}) == (
        "create"
    )
    assert json_path.extract_json("$.message.operation", {"message": {"operation": "cancel"}}) == (
        "cancel"
    )
    assert json_path.parse.cache_info().hits >= 1  # type: ignore[attr-defined]


@mock_aws
def test_cached_method_names_still_tell_an_action_from_an_unknown_one() -> None:
    moto_speedups.apply()
    from moto.core import responses

    sqs = boto3.client("sqs", region_name=REGION)
    first = sqs.create_queue(QueueName="named")["QueueUrl"]
    assert sqs.get_queue_url(QueueName="named")["QueueUrl"] == first
    assert responses.method_names_from_class.cache_info().hits >= 1  # type: ignore[attr-defined]
    names = responses.method_names_from_class(responses.BaseResponse)
    assert "call_action" in names
    assert "no_such_action" not in names


WAIT = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 1, "End": True}}}
FAIL = {"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "Nope", "Cause": "x"}}}


@mock_aws
def test_a_sync_waiter_wakes_when_its_execution_ends(monkeypatch) -> None:
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", True)
    embedded_aws._signal_when_ended()
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    role = f"arn:aws:iam::{ACCOUNT}:role/workflow"
    waiting = backend.create_state_machine(
        name="Waits", definition=json.dumps(WAIT), roleArn=role, sm_type="EXPRESS"
    )
    failing = backend.create_state_machine(
        name="Fails", definition=json.dumps(FAIL), roleArn=role, sm_type="EXPRESS"
    )

    started = time.monotonic()
    execution = backend.start_execution(waiting.arn, "one", "{}")
    woke = threading.Event()
    threading.Thread(target=lambda: embedded_aws._finished(execution).wait() and woke.set()).start()
    assert woke.wait(timeout=10), "the waiter was never woken"
    assert execution.exec_status.value == "SUCCEEDED"
    assert time.monotonic() - started >= 1, "woken when the execution ended, not before"

    failed = backend.start_execution(failing.arn, "two", "{}")
    assert embedded_aws._finished(failed).wait(timeout=10)
    assert failed.exec_status.value == "FAILED"


@mock_aws
def test_replaced_items_are_freed_once_moto_stops_tracking_every_instance() -> None:
    import gc
    import weakref

    from moto.dynamodb.models import dynamodb_backends

    moto_retention.apply()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName="tracked",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="tracked", Item={"id": {"S": "a"}, "v": {"N": "1"}})
    table = dynamodb_backends[ACCOUNT][REGION].get_table("tracked")
    first = weakref.ref(next(iter(table.all_items())))

    dynamodb.put_item(TableName="tracked", Item={"id": {"S": "a"}, "v": {"N": "2"}})
    gc.collect()

    assert first() is None, "the replaced version of the item is still referenced"
    assert dynamodb.get_item(TableName="tracked", Key={"id": {"S": "a"}})["Item"]["v"] == {"N": "2"}


def test_deleted_receipt_handles_are_remembered_up_to_a_bound() -> None:
    handles = moto_retention.RecentHandles(kept=3)
    handles.update(["a", "b", "c"])
    handles.add("d")

    assert "a" not in handles
    assert all(handle in handles for handle in "bcd")
    assert len(handles) == 3


@mock_aws
def test_an_update_expression_checked_once_still_fails_with_other_names_or_on_a_key() -> None:
    moto_speedups.apply()
    dynamodb = _table("checked")
    expression = "SET " + ", ".join(f"#n{i} = :v{i}" for i in range(30))

    def update(names: dict[str, str], value: str) -> None:
        dynamodb.update_item(
            TableName="checked",
            Key={"id": {"S": "a"}},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":v{i}": {"S": f"{value}{i}"} for i in range(30)},
        )

    distinct = {f"#n{i}": f"field{i}" for i in range(30)}
    for value in ("first", "second"):
        update(distinct, value)
    item = dynamodb.get_item(TableName="checked", Key={"id": {"S": "a"}})["Item"]
    assert (item["field0"]["S"], item["field29"]["S"]) == ("second0", "second29")

    # The same expression string, checked and passed above, with names that overlap or that
    # name the key: both still fail, every time.
    for names in ({**distinct, "#n29": "field0"}, {**distinct, "#n5": "id"}):
        for _ in range(2):
            with pytest.raises(ClientError) as refused:
                update(names, "third")
            assert refused.value.response["Error"]["Code"] == "ValidationException"
    for _ in range(2):
        with pytest.raises(ClientError) as refused:
            dynamodb.update_item(
                TableName="checked",
                Key={"id": {"S": "a"}},
                UpdateExpression="SET field1 = :v SET field2 = :v",
                ExpressionAttributeValues={":v": {"S": "x"}},
            )
        assert "SET" in refused.value.response["Error"]["Message"]
    item = dynamodb.get_item(TableName="checked", Key={"id": {"S": "a"}})["Item"]
    assert item["field0"]["S"] == "second0"


@mock_aws
def test_what_passed_the_checks_goes_with_its_parsed_tree() -> None:
    """The in-flight places name an attribute per holder (`#h_<hash>`), so nearly every such
    update is a new expression string: what remembered them as checked must not keep their
    parsed trees alive once the parse cache has let them go (it grew the stack's memory by
    several MB per 1,000 operations)."""
    import gc
    import weakref

    moto_speedups.apply()
    dynamodb = _table("holders")
    trees = []
    for holder in ("h_1", "h_2", "h_3"):
        expression = f"SET #{holder} = :{holder}"
        dynamodb.update_item(
            TableName="holders",
            Key={"id": {"S": "a"}},
            UpdateExpression=expression,
            ExpressionAttributeNames={f"#{holder}": holder},
            ExpressionAttributeValues={f":{holder}": {"S": "held"}},
        )
        trees.append(weakref.ref(UpdateExpressionParser.make(expression)))

    UpdateExpressionParser.make.__func__.cache_clear()  # type: ignore[attr-defined]
    gc.collect()

    assert [tree() for tree in trees] == [None, None, None]
    item = dynamodb.get_item(TableName="holders", Key={"id": {"S": "a"}})["Item"]
    assert sorted(item) == ["h_1", "h_2", "h_3", "id"]


def test_a_parsed_tree_is_cloned_whole_and_apart_from_the_cached_one() -> None:
    moto_speedups.apply()
    from moto.dynamodb.parsing import validators

    tree = UpdateExpressionParser.make("SET a = if_not_exists(a, :z) + :one, b = :b REMOVE c")
    twin = validators.deepcopy(tree)

    assert twin is not tree
    assert repr_tree(twin) == repr_tree(tree)
    twin.children[0].children.clear()
    assert repr_tree(twin) != repr_tree(tree)


def repr_tree(node: object) -> object:
    children = getattr(node, "children", None)
    if children is None:
        return node if not hasattr(node, "type") else (node.type, None)  # type: ignore[attr-defined]
    parents = {id(getattr(child, "parent", node)) for child in children}
    assert parents <= {id(node)}, "a child's parent is its own node"
    return (node.type, [repr_tree(child) for child in children])  # type: ignore[attr-defined]
