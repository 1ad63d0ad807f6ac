"""Signatures already accepted: a signed request is good once. A signature is claimed with a
conditional put before the request it signs takes effect, so a copy of it (a replay) is refused
while the signature is fresh; after that its timestamp refuses it, and the item expires (TTL).
A sender retrying a request signs it again (a new timestamp), as it would after five minutes."""

from botocore.exceptions import ClientError

from ordersync.core import aws
from ordersync.core.dynamo import is_condition_failure
from ordersync.core.settings import get_settings
from ordersync.core.signing import TOLERANCE_SECONDS

# DynamoDB deletes expired items lazily (within days); an item outliving its window only refuses
# what the timestamp check refuses anyway.
MARGIN_SECONDS = 60


class UsedSignatures:
    """The signatures table (`signature` key, `expiresAt` TTL); keyed writes only."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().signatures_table

    def claim(self, signature: str, timestamp: str) -> bool:
        """Record `signature` as used; False if it already was."""
        expires = int(timestamp) + TOLERANCE_SECONDS + MARGIN_SECONDS
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item={"signature": {"S": signature}, "expiresAt": {"N": str(expires)}},
                ConditionExpression="attribute_not_exists(signature)",
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise
        return True
