"""Integration secrets (platform tokens, callback and verification signing secrets) live in
AWS Secrets Manager; the config table keeps only their ARNs. Values are read through powertools'
parameters utility and cached for `secret_cache_seconds`, so a rotated secret is picked up
within that time, with no deploy, and a warm function does not pay a Secrets Manager call (and
its price) per request."""

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from ordersync.core import aws
from ordersync.core.settings import get_settings, resettable

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Secrets are named ordersync/<stage>/<merchant>/<integration>/<kind>: the functions' roles may
# read that prefix and nothing else (template.yaml).
NAME_PREFIX = "ordersync"


def secret_name(stage: str, merchant_id: str, integration_id: str, kind: str) -> str:
    return f"{NAME_PREFIX}/{stage}/{merchant_id}/{integration_id}/{kind}"


@resettable
def _provider() -> SecretsProvider:
    client: SecretsManagerClient = aws.secretsmanager()
    return SecretsProvider(boto3_client=client)


def secret_value(arn: str | None) -> str:
    """The secret's current value ("" for no secret), from the cache while it is fresh."""
    if not arn:
        return ""
    value = _provider().get(arn, max_age=int(get_settings().secret_cache_seconds))
    return str(value or "")


def clear_cache() -> None:
    """Forget every cached value (a test rotating a secret; the next read fetches it)."""
    _provider().clear_cache()  # type: ignore[no-untyped-call]
