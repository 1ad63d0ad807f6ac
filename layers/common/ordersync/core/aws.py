"""Cached boto3 clients: created on first use, never at import, shared across invocations."""

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from ordersync.core.settings import get_settings, reset_all, resettable

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient


def _config() -> Config:
    local = get_settings().aws_endpoint_url is not None
    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        inject_host_prefix=not local,
        # StartSyncExecution waits for the whole workflow.
        read_timeout=310,
        # A Lambda environment runs one event at a time and needs one connection per service;
        # the local stack runs many environments' threads through these clients at once, and
        # past urllib3's default of 10 each request opened a connection and threw it away.
        max_pool_connections=100 if local else 10,
    )


@resettable
def dynamodb() -> "DynamoDBClient":
    return boto3.client("dynamodb", config=_config())


@resettable
def sqs() -> "SQSClient":
    return boto3.client("sqs", config=_config())


@resettable
def stepfunctions() -> "SFNClient":
    return boto3.client("stepfunctions", config=_config())


@resettable
def secretsmanager() -> "SecretsManagerClient":
    return boto3.client("secretsmanager", config=_config())


@resettable
def cognito_idp() -> "CognitoIdentityProviderClient":
    return boto3.client("cognito-idp", config=_config())


@resettable
def s3() -> "S3Client":
    """Signature v4, which presigned links need; path-style addressing on the local stack,
    whose one endpoint (127.0.0.1:port) cannot take the bucket as a host name."""
    local = get_settings().aws_endpoint_url is not None
    addressing = Config(
        signature_version="s3v4", s3={"addressing_style": "path" if local else "virtual"}
    )
    return boto3.client("s3", config=_config().merge(addressing))


@resettable
def ses() -> "SESClient":
    return boto3.client("ses", config=_config())


def reset_clients() -> None:
    """Forget every cached client and the settings (tests switch between moto and the local
    stack)."""
    reset_all()
