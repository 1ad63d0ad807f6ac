"""The local stack's moto reads an item as it was before or after a write, never half-way: moto
updates an item in place, one attribute at a time (`local.embedded_aws`)."""

import sys
import threading

N = 400


def test_a_query_never_sees_half_an_update(stack):
    table = stack.resources["OperationsTable"]
    key = {"operationId": {"S": "op-1"}}
    stack.dynamodb.put_item(TableName=table, Item=key)
    stop = threading.Event()
    halves: list[dict] = []

    def watch_and_unwatch() -> None:
        for n in range(N):
            stack.dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET watch = :w, watchUntil = :u",
                ExpressionAttributeValues={":w": {"S": "queued"}, ":u": {"S": f"2026-01-01T{n}"}},
            )
            stack.dynamodb.update_item(
                TableName=table, Key=key, UpdateExpression="REMOVE watch, watchUntil"
            )
        stop.set()

    writer = threading.Thread(target=watch_and_unwatch)
    writer.start()
    while not stop.is_set():
        for read in (
            stack.dynamodb.query(
                TableName=table,
                IndexName="by-watch",
                KeyConditionExpression="watch = :w",
                ExpressionAttributeValues={":w": {"S": "queued"}},
            )["Items"],
            [stack.dynamodb.get_item(TableName=table, Key=key).get("Item", {})],
        ):
            halves += [item for item in read if ("watch" in item) != ("watchUntil" in item)]
    writer.join()

    assert halves == []


def test_an_update_copies_the_item_while_no_other_write_changes_it(stack):
    """moto's UpdateItem handler deep-copies the item before its write; an update of the same
    item meanwhile made the copy fail, and the caller got a 500."""
    table = stack.resources["OperationsTable"]
    key = {"operationId": {"S": "op-1"}}
    # Many attributes make the copy long enough for another thread's write to land in it.
    filler = {f"f{n}": {"S": "x" * 20} for n in range(60)}
    stack.dynamodb.put_item(TableName=table, Item=key | filler)
    errors: list[Exception] = []

    def grow_and_shrink(tag: str) -> None:
        try:
            for n in range(N // 2):
                stack.dynamodb.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression=f"SET {tag}{n % 7} = :v",
                    ExpressionAttributeValues={":v": {"S": str(n)}},
                )
                stack.dynamodb.update_item(
                    TableName=table, Key=key, UpdateExpression=f"REMOVE {tag}{n % 7}"
                )
        except Exception as error:  # the assertion below reports it
            errors.append(error)

    writers = [threading.Thread(target=grow_and_shrink, args=(tag,)) for tag in "abc"]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, as on a loaded stack
    try:
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
    finally:
        sys.setswitchinterval(switching)
    assert errors == []
