"""Integration secrets live in Secrets Manager: the config item keeps only their ARNs, values are
read through powertools' parameters utility with a cache, and a rotation is picked up once the
cache has aged out, with no deploy."""

import json
import time

import boto3
import pytest

from local.platform import DEMO_CALLBACK_SECRET, DEMO_TOKEN, DEMO_VERIFICATION_SECRET
from local.seed import DEMO_INTEGRATION, DEMO_MERCHANT, put_secret, seed_demo
from ordersync.config.repository import ConfigStore
from ordersync.config.secrets import clear_cache, secret_value
from ordersync.core import aws
from ordersync.core.settings import get_settings


@pytest.fixture
def seeded(stack):
    seed_demo("http://127.0.0.1:9")
    clear_cache()
    return ConfigStore().integration(DEMO_MERCHANT, DEMO_INTEGRATION)


def test_the_config_item_holds_arns_and_no_secret(seeded):
    raw = aws.dynamodb().get_item(
        TableName=get_settings().config_table,
        Key={
            "pk": {"S": f"MERCHANT#{DEMO_MERCHANT}"},
            "sk": {"S": f"INTEGRATION#{DEMO_INTEGRATION}"},
        },
    )["Item"]["doc"]["S"]
    for secret in (DEMO_TOKEN, DEMO_CALLBACK_SECRET, DEMO_VERIFICATION_SECRET):
        assert secret not in raw
    doc = json.loads(raw)
    arns = [doc["auth"]["tokenSecretArn"], doc["callbackSecretArn"], doc["verificationSecretArn"]]
    assert all(arn.startswith("arn:aws:secretsmanager:") for arn in arns)
    assert all(f":secret:ordersync/{get_settings().stage}/{DEMO_MERCHANT}/" in arn for arn in arns)


def test_values_are_read_from_secrets_manager(seeded):
    assert secret_value(seeded.auth.token_secret_arn) == DEMO_TOKEN
    assert secret_value(seeded.callback_secret_arn) == DEMO_CALLBACK_SECRET
    assert secret_value(seeded.verification_secret_arn) == DEMO_VERIFICATION_SECRET
    assert secret_value(None) == ""


def test_a_rotation_is_picked_up_when_the_cache_ages_out_without_a_deploy(seeded, monkeypatch):
    calls = []
    client = aws.secretsmanager()
    original = client.get_secret_value

    def counted(**kwargs):
        calls.append(kwargs["SecretId"])
        return original(**kwargs)

    monkeypatch.setattr(client, "get_secret_value", counted)
    monkeypatch.setenv("SECRET_CACHE_SECONDS", "1")
    get_settings.cache_clear()
    arn = seeded.auth.token_secret_arn
    assert [secret_value(arn) for _ in range(5)] == [DEMO_TOKEN] * 5
    assert len(calls) == 1, "a warm function reads the secret once per cache period"

    put_secret(DEMO_MERCHANT, DEMO_INTEGRATION, "token", "rotated-token")
    assert secret_value(arn) == DEMO_TOKEN, "still cached"
    time.sleep(1.1)
    assert secret_value(arn) == "rotated-token"
    assert len(calls) == 2


def test_a_secret_outside_the_stack_s_prefix_is_not_what_the_seed_writes(stack):
    arn = put_secret("m1", "erp", "verification", "s3cret")
    name = boto3.client("secretsmanager", region_name="us-east-1").describe_secret(SecretId=arn)[
        "Name"
    ]
    assert name == f"ordersync/{get_settings().stage}/m1/erp/verification"
