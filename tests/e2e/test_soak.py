"""A small soak (tools/soak.py) in every CI run (`make test-slow`): a few hundred operations
under faults, duplicates and lost answers, then a redrive; everything accounted for, nothing
applied twice. It starts a stack of its own (a retry budget of 3, waits at 2%)."""

import pytest

from tools import soak


@pytest.mark.slow  # about two minutes
def test_a_small_soak_loses_nothing_and_applies_nothing_twice():
    result = soak.run(orders=60, transient=0.30, reject=0.05, lost=0.02, duplicates=0.10, seed=3)

    assert result["accepted"] >= 200, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["transient_unsynced"] == 0, result
    # Exactly one place each: synced, an open alert, or (skipped) one message in the DLQ.
    assert result["synced"] + result["open_alerts"] + result["skipped"] == result["accepted"]
    assert result["dlq"] == result["skipped"], result
