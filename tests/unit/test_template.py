"""Promises the template makes to operators, checked where they are written."""

import pytest
from samcli.yamlhelper import yaml_parse

from local.template import TEMPLATE, LocalTemplate
from ordersync.api.unrouted import CATCH_ALL

RESOURCES = yaml_parse(TEMPLATE.read_text())["Resources"]
GLOBALS = yaml_parse(TEMPLATE.read_text())["Globals"]["Function"]


def props(logical_id):
    return RESOURCES[logical_id]["Properties"]


def test_functions_run_python313_on_arm64_with_the_shared_layer():
    assert GLOBALS["Runtime"] == "python3.13"
    assert GLOBALS["Architectures"] == ["arm64"]
    assert GLOBALS["Layers"] == [{"Ref": "CommonLayer"}]
    assert RESOURCES["CommonLayer"]["Metadata"]["BuildMethod"] == "makefile"


def test_queue_visibility_is_at_least_six_times_the_dispatcher_timeout():
    assert (
        props("OperationsQueue")["VisibilityTimeout"] >= 6 * props("DispatcherFunction")["Timeout"]
    )


def test_dead_letters_outlive_the_source_queue():
    assert (
        props("OperationsDeadLetterQueue")["MessageRetentionPeriod"]
        > props("OperationsQueue")["MessageRetentionPeriod"]
    )


def test_the_console_redrive_is_allowed_from_the_source_queue_only():
    allow = props("OperationsDeadLetterQueue")["RedriveAllowPolicy"]
    assert allow["redrivePermission"] == "byQueue"
    source_name = props("OperationsQueue")["QueueName"]["Fn::Sub"]
    assert allow["sourceQueueArnList"][0]["Fn::Sub"].endswith(source_name)
    # The dispatcher enforces the retry schedule, sending a message afresh long before the
    # queue's count or retention would act; those are only a net under it.
    from ordersync.operations.dispatch import FRESH_AFTER_RECEIVES

    queue = props("OperationsQueue")
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 2 * FRESH_AFTER_RECEIVES
    retention = GLOBALS["Environment"]["Variables"]["OPERATIONS_QUEUE_RETENTION_SECONDS"]
    assert int(retention) == queue["MessageRetentionPeriod"]


def test_the_dispatcher_reports_partial_batch_failures():
    event = props("DispatcherFunction")["Events"]["Operations"]["Properties"]
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_every_function_has_a_log_group_with_retention():
    functions = {name for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
    groups = {
        r["Properties"]["LogGroupName"]["Fn::Sub"].removeprefix("/aws/lambda/${").removesuffix("}")
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Logs::LogGroup"
        and "/aws/lambda/" in str(r["Properties"]["LogGroupName"])
    }
    assert functions == groups
    assert all(
        "RetentionInDays" in r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Logs::LogGroup"
    )


def test_state_machine_is_express_and_gets_arns_by_substitution():
    machine = props("OrderOperationStateMachine")
    assert machine["Type"] == "EXPRESS"
    tasks = ["OrderCreate", "OrderCancel", "OrderInvoice", "OrderShipment", "OrderRefund"]
    tasks += ["RecordOutcome", "AlertCallback"]
    assert set(machine["DefinitionSubstitutions"]) == {f"{task}FunctionArn" for task in tasks}


@pytest.mark.parametrize("function", ["ApiFunction", "MerchantApiFunction"])
def test_every_template_route_is_served_by_the_api_and_the_other_way_round(function):
    import re
    import sys

    from local.lambdas import load_handler

    template = LocalTemplate.load()
    load_handler(template.functions[function])
    app = sys.modules[f"ordersync_local_{function}"].app
    served = {
        (route.method, re.sub(r"<\w+>", "{}", route.path))
        for route in app._static_routes + app._dynamic_routes
    }
    declared = {
        (r.method, re.sub(r"\{\w+\}", "{}", r.path))
        for r in template.routes
        if r.function == function and (r.method, r.path) != CATCH_ALL  # the resolver's not_found
    }
    assert served == declared


def test_merchant_routes_use_the_jwt_authorizer_and_channel_routes_the_lambda_one():
    template = LocalTemplate.load()
    merchant = {
        f"{r.method} {r.path}": r.authorizer
        for r in template.routes
        if r.function == "MerchantApiFunction"
    }
    assert merchant.pop("GET /v1/catalog") is None
    assert set(merchant.values()) == {"MerchantAuthorizer"}
    channel = {r.authorizer for r in template.routes if r.function == "ApiFunction"}
    assert channel == {"ChannelAuthorizer", None}
    jwt = template.jwt_authorizers["MerchantAuthorizer"]
    assert jwt.audience == [{"Ref": "MerchantUserPoolClient"}]
    assert "${MerchantUserPool}" in jwt.issuer["Fn::Sub"]


def test_users_cannot_write_their_merchant():
    schema = {a["Name"]: a for a in props("MerchantUserPool")["Schema"]}
    assert schema["merchant_id"]["Mutable"] is False
    client = props("MerchantUserPoolClient")
    assert "custom:merchant_id" not in client["WriteAttributes"]
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    groups = {
        r["Properties"]["GroupName"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {"admin", "operator", "viewer"}
