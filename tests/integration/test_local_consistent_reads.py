"""The local stack's moto reads an item as it was before or after a write, never half-way: moto
updates an item in place, one attribute at a time (`local.embedded_aws`)."""

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
