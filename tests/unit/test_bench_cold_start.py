"""The cold-start benchmark's helpers (bench.cold_start): what is deployed, which clients a
handler creates."""

from bench.cold_start import client_factories, clients_used, not_deployed, requirements


def test_the_deployed_set_keeps_the_layer_and_boto3_and_refuses_dev_tools():
    denied = set(not_deployed([*requirements(), "boto3"]))
    assert {"pydantic", "httpx", "jinja2", "boto3", "botocore", "aws_xray_sdk"}.isdisjoint(denied)
    assert {"moto", "pytest", "rich", "awscrt"} <= denied
    floor_denied = set(not_deployed(["boto3"]))
    assert {"pydantic", "aws_lambda_powertools"} <= floor_denied
    assert "botocore" not in floor_denied


def test_clients_are_read_from_the_aws_factories_the_imported_modules_call():
    assert client_factories() == {
        "dynamodb": "dynamodb",
        "sqs": "sqs",
        "stepfunctions": "stepfunctions",
        "secretsmanager": "secretsmanager",
        "ses": "ses",
    }
    assert clients_used(["ordersync.config.repository"]) == ["dynamodb"]
    assert clients_used(["ordersync.operations.dispatch", "ordersync.operations.watch"]) == [
        "dynamodb",
        "sqs",
        "stepfunctions",
    ]
