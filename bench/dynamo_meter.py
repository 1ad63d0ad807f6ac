"""DynamoDB capacity units of the requests the functions make on the local stack, which moto does
not compute: a write is billed on the stored item's size before and after it, a read on the
size of what it found (`bench.dynamo_units` has the arithmetic). The tables' keys and indexes
come from the template (`table_shapes`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bench.dynamo_units import (
    Index,
    Item,
    TableShape,
    WriteCost,
    item_size,
    read_units,
    write_cost,
)


def table_shapes(sam: dict[str, Any]) -> dict[str, TableShape]:
    """Every DynamoDB table of the template, by logical id: its keys and its global indexes."""
    shapes = {}
    for logical_id, resource in sam["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        indexes = tuple(
            Index(
                name=index["IndexName"],
                keys=tuple(key["AttributeName"] for key in index["KeySchema"]),
                projection=index["Projection"]["ProjectionType"],
                included=tuple(index["Projection"].get("NonKeyAttributes", [])),
            )
            for index in props.get("GlobalSecondaryIndexes", [])
        )
        keys = tuple(key["AttributeName"] for key in props["KeySchema"])
        shapes[logical_id] = TableShape(logical_id, keys, indexes)
    return shapes


@dataclass
class Usage:
    """One request's units, by the table's logical id."""

    reads: list[tuple[str, float]]  # (table, read units)
    writes: list[tuple[str, WriteCost, tuple[int, int]]]  # (table, cost, item bytes before/after)


class DynamoMeter:
    def __init__(self, tables: dict[str, TableShape]) -> None:
        self._tables = tables  # by the table's physical name

    def call(
        self,
        operation: str,
        params: dict[str, Any],
        send: Callable[[], Any],
        record: Callable[[Usage], None],
    ) -> Any:
        """Make the request (`send`), and `record` what it used, whether or not it succeeded."""
        writes = self._planned_writes(operation, params)
        before = {i: self._stored(table, key) for i, (table, key, _) in enumerate(writes)}
        applied = True
        try:
            response = send()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            applied = False
            response = None
            raise
        finally:
            record(self._usage(operation, params, response, writes, before, applied))
        return response

    def _stored(self, table_name: str, key: Item) -> Item | None:
        from moto.dynamodb.models import dynamodb_backends

        from local.stack import ACCOUNT, REGION

        found = dynamodb_backends[ACCOUNT][REGION].get_item(table_name, key)
        if found is None:
            return None
        attributes: Item = found.to_json()["Attributes"]
        return attributes

    def _key(self, table_name: str, item: Item) -> Item:
        shape = self._tables[table_name]
        return {name: item[name] for name in shape.keys}

    def _planned_writes(
        self, operation: str, params: dict[str, Any]
    ) -> list[tuple[str, Item, bool]]:
        """(table, key, is delete) for each item a write request touches."""
        if operation == "PutItem":
            table = params["TableName"]
            return [(table, self._key(table, params["Item"]), False)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"], operation == "DeleteItem")]
        if operation == "BatchWriteItem":
            planned = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        key = self._key(table, request["PutRequest"]["Item"])
                        planned.append((table, key, False))
                    else:
                        planned.append((table, request["DeleteRequest"]["Key"], True))
            return planned
        if operation == "TransactWriteItems":
            planned = []
            for entry in params["TransactItems"]:
                ((kind, detail),) = entry.items()
                if kind == "ConditionCheck":
                    continue
                table = detail["TableName"]
                key = self._key(table, detail["Item"]) if kind == "Put" else detail["Key"]
                planned.append((table, key, kind == "Delete"))
            return planned
        return []

    def _usage(
        self,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        writes: list[tuple[str, Item, bool]],
        before: dict[int, Item | None],
        applied: bool,
    ) -> Usage:
        reads: list[tuple[str, float]] = []
        if operation == "GetItem":
            table = params["TableName"]
            # A projection trims what comes back, not what is read: bill the stored item.
            size = item_size(self._stored(table, params["Key"]))
            reads.append((table, read_units(size, consistent=bool(params.get("ConsistentRead")))))
        elif operation in ("Query", "Scan") and response is not None:
            size = sum(item_size(item) for item in response.get("Items", []))
            reads.append(
                (
                    params["TableName"],
                    read_units(size, consistent=bool(params.get("ConsistentRead"))),
                )
            )
        elif operation == "BatchGetItem" and response is not None:
            for table, request in params["RequestItems"].items():
                consistent = bool(request.get("ConsistentRead"))
                for key in request["Keys"]:
                    reads.append(
                        (
                            table,
                            read_units(item_size(self._stored(table, key)), consistent=consistent),
                        )
                    )
        costs = []
        for index, (table, key, is_delete) in enumerate(writes):
            after = None if is_delete else self._stored(table, key)
            cost = write_cost(
                self._tables[table],
                before[index],
                after,
                applied=applied,
                transactional=operation == "TransactWriteItems",
            )
            sizes = (item_size(before[index]), item_size(after))
            costs.append((self._tables[table].name, cost, sizes))
        return Usage([(self._tables[table].name, units) for table, units in reads], costs)
