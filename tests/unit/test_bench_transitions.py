"""Step Functions transitions counted from an execution's history, and the ASL's happy path
(bench.transitions), no AWS."""

import json

from bench.transitions import retries, transitions, walk
from local.template import ROOT

HAPPY = [
    "ExecutionStarted",
    "ChoiceStateEntered",
    "ChoiceStateExited",
    *["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionSucceeded", "TaskStateExited"]
    * 3,
    "ChoiceStateEntered",
    "ChoiceStateExited",
    "SucceedStateEntered",
    "ExecutionSucceeded",
]


def test_a_transition_per_state_entered_and_per_retry():
    assert transitions(HAPPY) == 6
    retried = [*HAPPY[:4], "LambdaFunctionScheduled", "LambdaFunctionFailed", *HAPPY[4:]]
    assert retries(retried) == 1
    assert transitions(retried) == 7


def test_the_asl_walk_of_a_create_matches_what_the_executions_show():
    definition = json.loads((ROOT / "statemachines/order_operation.asl.json").read_text())
    with_callback = walk(
        definition, {"message": {"operation": "create"}, "recorded": {"callback": True}}
    )
    assert with_callback == [
        "RouteOperation",
        "DeliverOrderCreate",
        "RecordOutcome",
        "CallbackWanted",
        "AlertCallback",
        "Done",
    ]
    without = walk(definition, {"message": {"operation": "refund"}, "recorded": {}})
    assert without[1] == "DeliverOrderRefund"
    assert len(without) == 5
