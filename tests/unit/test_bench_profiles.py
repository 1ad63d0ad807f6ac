"""A scenario's counts turned into figures per operation (bench.profiles), no AWS."""

from collections import Counter

from bench.profiles import profile
from bench.recorder import Counts


def test_counts_become_figures_per_operation_without_the_scheduled_sweeps():
    counts = Counts()
    counts.requests.update(
        {
            ("ApiFunction", "sqs", "SendMessage"): 2,
            ("ApiFunction", "dynamodb", "PutItem"): 4,
            ("scheduled:SweeperFunction", "dynamodb", "Query"): 3,
        }
    )
    counts.invocations.update({"ApiFunction": 2, "scheduled:SweeperFunction": 1})
    counts.durations_ms["ApiFunction"] += [10.0, 30.0]
    counts.write_units.update({("ApiFunction", "OperationsTable"): 4})
    counts.platform_calls = Counter()
    shown = profile("burst", counts, [{"transitions": 6, "duration_ms": 5.0, "states": []}], 2, 2)
    assert shown["requests_by_service"]["SQS"] == 1
    assert shown["requests_by_service"]["DynamoDB"] == 2
    assert shown["requests_by_service"]["API Gateway"] == 1
    assert shown["lambda_ms"] == {"ApiFunction": 20.0}
    assert shown["dynamodb_units"]["write"] == 2
    assert shown["transitions"] == 3
    assert shown["lambda_invocations"] == {"ApiFunction": 1}
    assert shown["scheduled_invocations_not_counted"] == {"scheduled:SweeperFunction": 1}
