"""moto's DynamoDB item answers written as JSON directly, not walked against botocore's shapes;
and its JSON errors made without the XML document they then throw away.

moto serialises every answer by walking the operation's output shape in botocore's service model,
member by member, each value through a chain of lookups for its name and aliases. For the item
operations the answer moto builds is already the wire's JSON, less the base64 of binary values; that
walk was a sixth of the GIL's samples under a 300-order soak (docs/performance.md, "The soak's
tails, and what else moved it"). `tests/integration/test_local_moto_answers.py` compares both
serialisations of every answer of a battery of item operations.

moto's `JsonRESTError` (every DynamoDB error, a condition that fails among them) first builds the
XML body of a query-protocol error with xmltodict, then replaces it with its JSON. moto's update
expressions raise such an error for control flow (a path the item lacks, caught inside the walk), so
the unused XML was 2 % of the stack's CPU under a soak (docs/performance.md, "The soak: DynamoDB and
SQS past moto's HTTP layer"); the error's attributes come out the same without it.
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
# moto's own JsonRESTError.__init__, once replaced (the test compares the two).
XML_THEN_JSON: Any = None


def apply() -> None:
    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult, PATCHED, False):
        return
    _json_errors_without_xml()
    shaped = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in ITEM_OPERATIONS:
            return shaped(self, context)
        members = context.operation_model.output_shape.members
        answer = {k: v for k, v in self.result.items() if k in members}
        return 200, {"Content-Type": CONTENT_TYPE}, as_json(answer)

    DynamoResult.execute_result = execute_result
    setattr(DynamoResult, PATCHED, True)


def _json_errors_without_xml() -> None:
    from moto.core.exceptions import JsonRESTError
    from werkzeug.exceptions import HTTPException

    global XML_THEN_JSON
    XML_THEN_JSON = JsonRESTError.__init__

    def __init__(self: Any, error_type: str, message: str, _: str = "", **__: Any) -> None:
        HTTPException.__init__(self)
        self.error_type = error_type
        self.message = message
        self.description = json.dumps({"__type": error_type, "message": message})
        self.content_type = "application/json"

    JsonRESTError.__init__ = __init__


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
