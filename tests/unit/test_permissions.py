"""The least-privilege comparison (bench.permissions) on synthetic calls and grants: a removed
permission and an added call must each fail, naming function, action and resource."""

import pytest

from bench.arns import resource_arn
from bench.grants import Resolver, grants
from bench.permissions import Allowance, Call, check
from bench.required_permissions import Names, requirements
from local.template import TEMPLATE, LocalTemplate

TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
HISTORY = resource_arn("HistoryTable", TABLE)
OPERATIONS = resource_arn("OperationsTable", TABLE)
QUEUE_ARN = resource_arn("OperationsQueue", QUEUE)


def cfn(*statements, managed=()):
    """A translated template with one function whose role holds `statements`."""
    return {
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Role": {"Fn::GetAtt": ["FnRole", "Arn"]}},
            },
            "FnRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "ManagedPolicyArns": list(managed),
                    "Policies": [
                        {
                            "PolicyName": "FnRolePolicy0",
                            "PolicyDocument": {"Statement": list(statements)},
                        }
                    ],
                },
            },
            "HistoryTable": {"Type": TABLE},
            "OperationsTable": {"Type": TABLE},
            "OperationsQueue": {"Type": QUEUE},
        }
    }


def allow(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


PUT_HISTORY = allow("dynamodb:PutItem", {"Fn::GetAtt": ["HistoryTable", "Arn"]})
QUERY_INDEX = allow(["dynamodb:Query"], {"Fn::Sub": "${OperationsTable.Arn}/index/by-watch"})
# As SQSSendMessagePolicy expands.
SEND = allow(
    ["sqs:SendMessage*"],
    {
        "Fn::Sub": [
            "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}",
            {"queueName": {"Fn::GetAtt": ["OperationsQueue", "QueueName"]}},
        ]
    },
)
WRITER = cfn(PUT_HISTORY, QUERY_INDEX, SEND)
CALLS = {
    Call("Fn", "dynamodb:PutItem", HISTORY),
    Call("Fn", "dynamodb:Query", f"{OPERATIONS}/index/by-watch"),
    Call("Fn", "sqs:SendMessage", QUEUE_ARN),
}


def test_calls_that_use_every_grant_pass():
    findings = check(CALLS, grants(WRITER))
    assert findings.ok, findings.report()


def test_a_removed_permission_fails_naming_function_action_and_resource():
    without_put = cfn(QUERY_INDEX, SEND)

    findings = check(CALLS, grants(without_put))

    assert not findings.ok
    assert findings.missing == [f"Fn calls dynamodb:PutItem on HistoryTable ({HISTORY})"]
    assert "Missing permissions" in findings.report()


def test_an_added_call_fails_naming_function_action_and_resource():
    findings = check({*CALLS, Call("Fn", "dynamodb:DeleteItem", HISTORY)}, grants(WRITER))

    assert findings.missing == [f"Fn calls dynamodb:DeleteItem on HistoryTable ({HISTORY})"]


def test_a_call_on_another_resource_is_not_allowed_by_a_grant_on_one():
    findings = check({*CALLS, Call("Fn", "dynamodb:Query", OPERATIONS)}, grants(WRITER))

    assert findings.missing == [f"Fn calls dynamodb:Query on OperationsTable ({OPERATIONS})"]


def test_another_functions_grant_does_not_count():
    findings = check({*CALLS, Call("Other", "dynamodb:PutItem", HISTORY)}, grants(WRITER))

    assert findings.missing == [f"Other calls dynamodb:PutItem on HistoryTable ({HISTORY})"]


def test_a_grant_no_call_uses_is_excess():
    findings = check(CALLS - {Call("Fn", "sqs:SendMessage", QUEUE_ARN)}, grants(WRITER))

    assert findings.missing == []
    assert len(findings.excess) == 1
    assert findings.excess[0].startswith("Fn may sqs:SendMessage* on OperationsQueue")
    assert "FnRolePolicy0" in findings.excess[0]


def test_an_allowance_with_a_reason_excuses_an_unused_grant_and_goes_stale_once_used():
    allowance = Allowance("*", "sqs:SendMessage*", QUEUE_ARN, reason="only on an error path")
    unsent = CALLS - {Call("Fn", "sqs:SendMessage", QUEUE_ARN)}

    assert check(unsent, grants(WRITER), [allowance]).ok
    stale = check(CALLS, grants(WRITER), [allowance]).stale_allowances
    assert stale == ["* sqs:SendMessage* on OperationsQueue: a recorded call uses it now"]


def test_an_allowance_for_what_nothing_grants_is_stale():
    allowance = Allowance("Fn", "dynamodb:DeleteItem", HISTORY, reason="never")

    findings = check(CALLS, grants(WRITER), [allowance])

    assert findings.stale_allowances == [
        "Fn dynamodb:DeleteItem on HistoryTable: nothing grants it"
    ]


@pytest.mark.parametrize(
    ("action", "call", "allowed"),
    [
        ("sqs:SendMessage*", "sqs:SendMessage", True),
        ("SQS:sendmessage", "sqs:SendMessage", True),  # actions ignore case
        ("dynamodb:Get*", "dynamodb:GetItem", True),
        ("dynamodb:GetItem", "dynamodb:GetItems", False),
        ("dynamodb:?etItem", "dynamodb:GetItem", True),
        ("dynamodb:*", "sqs:SendMessage", False),
    ],
)
def test_action_patterns(action, call, allowed):
    grant = grants(cfn(allow(action, {"Fn::GetAtt": ["HistoryTable", "Arn"]})))
    assert (not check({Call("Fn", call, HISTORY)}, grant).missing) is allowed


def test_resource_patterns_are_case_sensitive_and_a_table_grant_is_not_its_indexes():
    table_only = grants(cfn(allow("dynamodb:Query", {"Fn::GetAtt": ["OperationsTable", "Arn"]})))
    indexes = grants(cfn(allow("dynamodb:Query", {"Fn::Sub": "${OperationsTable.Arn}/index/*"})))
    query_index = Call("Fn", "dynamodb:Query", f"{OPERATIONS}/index/by-watch")

    assert check({query_index}, table_only).missing
    assert not check({query_index}, indexes).missing
    assert check({Call("Fn", "dynamodb:Query", OPERATIONS.lower())}, table_only).missing


def test_requests_become_the_permissions_iam_checks():
    assert requirements("dynamodb", "GetItem", {"TableName": "t"}) == [("dynamodb:GetItem", "t")]
    assert requirements("dynamodb", "Query", {"TableName": "t", "IndexName": "i"}) == [
        ("dynamodb:Query", "t/index/i")
    ]
    assert requirements("dynamodb", "BatchWriteItem", {"RequestItems": {"a": [], "b": []}}) == [
        ("dynamodb:BatchWriteItem", "a"),
        ("dynamodb:BatchWriteItem", "b"),
    ]
    assert requirements(
        "dynamodb",
        "TransactWriteItems",
        {"TransactItems": [{"Put": {"TableName": "a"}}, {"Delete": {"TableName": "b"}}]},
    ) == [("dynamodb:PutItem", "a"), ("dynamodb:DeleteItem", "b")]
    assert requirements("sqs", "DeleteMessageBatch", {"QueueUrl": "u"}) == [
        ("sqs:DeleteMessage", "u")
    ]
    assert requirements("stepfunctions", "StartSyncExecution", {"stateMachineArn": "m"}) == [
        ("states:StartSyncExecution", "m")
    ]


def test_physical_names_become_arns_named_by_logical_id():
    names = Names(
        {
            "OperationsTable": "ordersync-local-OperationsTable-X1",
            "OperationsQueue": "https://q/url",
        },
        {"OperationsTable": TABLE, "OperationsQueue": QUEUE},
    )

    assert names.arn("ordersync-local-OperationsTable-X1") == OPERATIONS
    assert (
        names.arn("ordersync-local-OperationsTable-X1/index/by-watch")
        == f"{OPERATIONS}/index/by-watch"
    )
    assert names.arn("https://q/url") == QUEUE_ARN
    assert names.arn("somebody-elses-table") == "unknown:somebody-elses-table"


def test_a_statement_the_check_cannot_read_is_refused_not_ignored():
    conditional = {
        **allow("dynamodb:PutItem", "*"),
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }
    with pytest.raises(ValueError, match="unconditional Allow"):
        grants(cfn(conditional))
    with pytest.raises(ValueError, match="unknown to this check"):
        grants(cfn(managed=["arn:aws:iam::aws:policy/AdministratorAccess"]))
    with pytest.raises(ValueError, match="no such resource"):
        Resolver(WRITER).resolve({"Fn::GetAtt": ["Nope", "Arn"]})


# ---------------------------------------------------------------- what template.yaml promises

TEMPLATE_GRANTS = grants(LocalTemplate.load().cloudformation({"Stage": "test"}))


def test_no_function_can_delete_or_batch_write_history():
    on_history = [g for g in TEMPLATE_GRANTS if "HistoryTable" in g.resource or g.resource == "*"]
    # A stream's reads (the notifier's managed policy names no table) change nothing.
    stream_reads = {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    writes = {g.action for g in on_history if g.action.startswith("dynamodb:")} - stream_reads
    assert writes <= {"dynamodb:PutItem", "dynamodb:Query"}, writes


def test_no_function_scans_or_holds_crud_on_a_table():
    actions = {g.action for g in TEMPLATE_GRANTS}
    assert "dynamodb:Scan" not in actions
    assert not any(g.action in ("dynamodb:*", "*") for g in TEMPLATE_GRANTS)
    assert "DynamoDBCrudPolicy" not in TEMPLATE.read_text()
