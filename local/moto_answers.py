"""moto's DynamoDB item answers written as JSON directly, not walked against botocore's shapes.

moto serialises every answer by walking the operation's output shape in botocore's service
model, member by member, each value through a chain of lookups for its name and aliases. For
the item operations the answer moto builds is already the wire's JSON, less the base64 of
binary values; that walk was a sixth of the GIL's samples under a 300-order soak (README,
"The soak's tails, and what else moved it"). `tests/integration/test_local_moto_answers.py`
compares both serialisations of every answer of a battery of item operations.
"""

import base64
import json
from typing import Any

PATCHED = "_ordersync_answers_as_json"
# Answers that hold items and nothing a shape changes on the way out but the members it leaves
# out (no timestamps).
ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "TransactGetItems",
    }
)
CONTENT_TYPE = "application/x-amz-json-1.0"


def apply() -> None:
    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult, PATCHED, False):
        return
    shaped = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in ITEM_OPERATIONS:
            return shaped(self, context)
        members = context.operation_model.output_shape.members
        answer = {k: v for k, v in self.result.items() if k in members}
        return 200, {"Content-Type": CONTENT_TYPE}, as_json(answer)

    DynamoResult.execute_result = execute_result
    setattr(DynamoResult, PATCHED, True)


def as_json(result: Any) -> str:
    return json.dumps(_without_none(result), default=_binary)


def _binary(value: Any) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not in a DynamoDB item answer")


def _without_none(value: Any) -> Any:
    # The shapes' walk leaves out a member whose value is None.
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value
