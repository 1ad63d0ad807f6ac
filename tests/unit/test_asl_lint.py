import copy
import json

from local.template import ROOT, TEMPLATE
from tools.asl_lint import _parse_with_moto, check_states, check_template

DEFINITION = json.loads((ROOT / "statemachines/order_operation.asl.json").read_text())


def test_the_project_state_machines_pass():
    assert check_template(TEMPLATE) == []


def test_a_transition_to_a_missing_state_is_reported():
    broken = copy.deepcopy(DEFINITION)
    broken["States"]["CallbackWanted"]["Choices"][0]["Next"] = "Nowhere"
    problems = check_states(broken["States"], broken["StartAt"], "sm")
    assert any("'Nowhere', which is not a state" in p for p in problems)
    assert "sm: AlertCallback cannot be reached" in problems


def test_a_task_without_retry_or_catch_is_reported():
    broken = copy.deepcopy(DEFINITION)
    del broken["States"]["RecordOutcome"]["Retry"]
    del broken["States"]["RecordOutcome"]["Catch"]
    problems = check_states(broken["States"], broken["StartAt"], "sm")
    assert "sm: Task RecordOutcome has no Retry" in problems
    assert "sm: Task RecordOutcome has no Catch" in problems
    assert (
        "sm: OutcomeNotRecorded cannot be reached" not in problems
    )  # still reached from RecordFailure


def test_the_asl_parser_refuses_what_step_functions_would(tmp_path):
    assert (
        _parse_with_moto(
            json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}), tmp_path
        )
        == []
    )
    refused = _parse_with_moto(
        json.dumps({"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": True}}}), tmp_path
    )
    assert refused
    assert "refuses" in refused[0]
