"""`make fuzz`, short: schemathesis with every check and both credentials against a local stack
of its own, a few examples per operation, so `make test-slow` (and CI) keeps the API and its
OpenAPI document in agreement. `make fuzz` runs the long version."""

import os

import pytest

from tools.fuzz import fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


@pytest.mark.fuzz
@pytest.mark.slow  # a stack of its own, then about a minute and a half of requests
def test_schemathesis_finds_nothing(tmp_path):
    assert fuzz(EXAMPLES, report=tmp_path) == 0, "run `make fuzz` and read its report"
