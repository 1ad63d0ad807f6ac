"""A small soak (tools/soak.py) in every CI run (`make test-slow`): a few hundred operations
under faults (the platform's, and 2% of ordersync's own AWS calls), duplicates and lost answers,
then a redrive; everything accounted for, nothing applied twice. It starts a stack of its own
(a retry budget of 3, waits at 2%)."""

import pytest

from tools import soak


@pytest.mark.slow  # about two minutes
def test_a_small_soak_loses_nothing_and_applies_nothing_twice():
    result = soak.run(
        orders=60, transient=0.30, reject=0.05, lost=0.02, duplicates=0.10, seed=3, aws_faults=0.02
    )

    assert result["accepted"] >= 200, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["transient_unsynced"] == 0, result
    # Exactly one place each: synced, an open alert, blocked by its order, or (skipped) one
    # message in the DLQ; after the redrive, the DLQ is empty.
    assert soak.passed(result), result
    assert result["dlq"] == 0, result
    # Follow-ups of rejected creations wait for their order instead of spending their retries.
    assert result["blocked"] > 0, result
    # Then a person settles each rejected creation: its blocked follow-ups run or are released.
    people = result["people"]
    assert people["rejected_orders"] > 0, people
    assert people["blocked_then_run"] + people["blocked_then_released"] == result["blocked"], people
    assert soak.people_passed(people), people
