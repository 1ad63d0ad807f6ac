"""DynamoDB encoding (plain dicts to attribute values and back) and the one builder of update
expressions, so no module hand-writes "SET #a = :a, ..." strings of its own."""

import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.models import Outcome

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_plain(v)) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _number(_deserializer.deserialize(v)) for k, v in item.items()}


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def partition(table: str, pk: str, sk_prefix: str | None = None) -> Iterator[dict[str, Any]]:
    """Every item of one partition, or those whose sort key begins with `sk_prefix`: one keyed
    Query, followed page by page."""
    condition, values = "pk = :pk", {":pk": {"S": pk}}
    if sk_prefix is not None:
        condition += " AND begins_with(sk, :prefix)"
        values[":prefix"] = {"S": sk_prefix}
    pages = (
        aws.dynamodb()
        .get_paginator("query")
        .paginate(
            TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values
        )
    )
    for page in pages:
        yield from page.get("Items", [])


def outcome_attributes(outcome: Outcome) -> dict[str, Any]:
    """An outcome's fields as item attributes (history records and alerts hold them flat)."""
    return outcome.model_dump(by_alias=True, mode="json")


def outcome_from(values: dict[str, Any]) -> Outcome:
    fields = {field.alias or name for name, field in Outcome.model_fields.items()}
    return Outcome.model_validate({k: v for k, v in values.items() if k in fields})


def is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


_NAME = re.compile(r"#(\w+)")


class Update:
    """An UpdateItem request built clause by clause. Every attribute is aliased (`#name`), every
    value is a placeholder (`:name`); a condition refers to attributes as `#name` and to values
    it passes by keyword."""

    def __init__(self) -> None:
        self._sets: list[str] = []
        self._adds: list[str] = []
        self._removes: list[str] = []
        self._deletes: list[str] = []
        self._names: dict[str, str] = {}
        self._values: dict[str, Any] = {}
        self._condition: str | None = None

    def _alias(self, attribute: str) -> str:
        alias = f"#{re.sub(r'\W', '_', attribute)}"
        self._names[alias] = attribute
        return alias

    def _value(self, name: str, value: Any) -> str:
        placeholder = f":{re.sub(r'\W', '_', name)}"
        self._values[placeholder] = value
        return placeholder

    def set(self, attribute: str, value: Any) -> Self:
        """SET the attribute, or REMOVE it when `value` is None."""
        if value is None:
            return self.remove(attribute)
        self._sets.append(f"{self._alias(attribute)} = {self._value(attribute, value)}")
        return self

    def set_all(self, values: dict[str, Any]) -> Self:
        for attribute, value in values.items():
            self.set(attribute, value)
        return self

    def set_if_absent(self, attribute: str, value: Any) -> Self:
        alias = self._alias(attribute)
        self._sets.append(f"{alias} = if_not_exists({alias}, {self._value(attribute, value)})")
        return self

    def add(self, attribute: str, amount: "int | builtins.set[str]") -> Self:
        """ADD a number to the attribute, or strings to its string set."""
        self._adds.append(f"{self._alias(attribute)} {self._value(attribute, amount)}")
        return self

    def delete(self, attribute: str, members: "builtins.set[str]") -> Self:
        """DELETE strings from the attribute's string set (the set goes when it empties)."""
        self._deletes.append(f"{self._alias(attribute)} {self._value(attribute, members)}")
        return self

    def remove(self, *attributes: str) -> Self:
        self._removes += [self._alias(attribute) for attribute in attributes]
        return self

    def when(self, condition: str, **values: Any) -> Self:
        """Only if `condition` holds; `#attribute` names are aliased, `:value`s come from
        `values` (a trailing underscore is dropped, so `from_=` fills `:from`)."""
        for attribute in _NAME.findall(condition):
            self._names[f"#{attribute}"] = attribute
        for name, value in values.items():
            self._values[f":{name.rstrip('_')}"] = value
        self._condition = f"({self._condition}) AND ({condition})" if self._condition else condition
        return self

    def request(self, table: str, item_key: dict[str, Any]) -> dict[str, Any]:
        clauses = [
            f"{verb} {', '.join(parts)}"
            for verb, parts in (
                ("SET", self._sets),
                ("ADD", self._adds),
                ("REMOVE", self._removes),
                ("DELETE", self._deletes),
            )
            if parts
        ]
        request: dict[str, Any] = {
            "TableName": table,
            "Key": item_key,
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": self._names,
        }
        if self._values:
            request["ExpressionAttributeValues"] = to_item(self._values)
        if self._condition:
            request["ConditionExpression"] = self._condition
        return request

    def apply(self, table: str, item_key: dict[str, Any], **options: Any) -> "Applied":
        """Run it. Options such as ReturnValues or ReturnValuesOnConditionCheckFailure fill
        `Applied.attributes`; a condition that does not hold is `done=False`, not an error."""
        try:
            answer = aws.dynamodb().update_item(**self.request(table, item_key), **options)
        except ClientError as error:
            if self._condition and is_condition_failure(error):
                old: dict[str, Any] = error.response.get("Item") or {}  # type: ignore[assignment]
                return Applied(done=False, attributes=old)
            raise
        return Applied(done=True, attributes=dict(answer.get("Attributes") or {}))


@dataclass(frozen=True)
class Applied:
    done: bool
    # The item's attributes DynamoDB returned: those ReturnValues asked for when done, the item
    # as it was when the condition failed (ReturnValuesOnConditionCheckFailure="ALL_OLD").
    attributes: dict[str, Any] = field(default_factory=dict)
