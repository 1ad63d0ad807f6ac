"""Promises the template makes to operators, checked where they are written."""

from samcli.yamlhelper import yaml_parse

from local.template import TEMPLATE, LocalTemplate

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


def test_every_template_route_is_served_by_the_api_and_the_other_way_round():
    import re
    import sys

    from local.lambdas import _load

    template = LocalTemplate.load()
    _load(template.functions["ApiFunction"])
    app = sys.modules["ordersync_local_ApiFunction"].app
    served = {
        (route.method, re.sub(r"<\w+>", "{}", route.path))
        for route in app._static_routes + app._dynamic_routes
    }
    declared = {
        (r.method, re.sub(r"\{\w+\}", "{}", r.path))
        for r in template.routes
        if r.function == "ApiFunction"
    }
    assert served == declared
