"""The IAM permissions a recorded AWS request needs: (action, resource) pairs
(`requirements`), with the resource as the request names it, then as an ARN named by its
logical id (`Names`), as `bench.permissions` compares them with the grants.
"""

from collections.abc import Mapping
from typing import Any

from bench.arns import resource_arn

# boto3's service name -> IAM's prefix, where they differ.
IAM_PREFIX = {"stepfunctions": "states", "sesv2": "ses"}
# Batch requests IAM authorizes as the single action.
SINGLE_ACTION = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
}
# S3 requests IAM authorizes as another action: a multipart upload is s3:PutObject throughout.
S3_ACTION = {
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "HeadObject": "GetObject",
}
TRANSACT_ACTION = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def requirements(service: str, operation: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (IAM action, physical resource) pairs a request needs. The resource is what the
    request names (a table name, a queue URL, an ARN); "*" when it names none."""
    prefix = IAM_PREFIX.get(service, service)
    action = f"{prefix}:{SINGLE_ACTION.get((service, operation), operation)}"
    if service == "dynamodb":
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(action, table) for table in params.get("RequestItems", {})]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            needed = []
            for entry in params.get("TransactItems", []):
                ((kind, detail),) = entry.items()
                needed.append((f"dynamodb:{TRANSACT_ACTION[kind]}", detail["TableName"]))
            return needed
        if "TableName" in params:
            table = params["TableName"]
            index = params.get("IndexName")
            return [(action, f"{table}/index/{index}" if index else table)]
        return [(action, "*")]
    if service == "s3":
        action = f"s3:{S3_ACTION.get(operation, operation)}"
        bucket, object_key = params.get("Bucket", "*"), params.get("Key")
        return [(action, f"{bucket}/{object_key}" if object_key else str(bucket))]
    for name in ("QueueUrl", "stateMachineArn", "executionArn", "FunctionName", "UserPoolId"):
        if name in params:
            return [(action, str(params[name]))]
    return [(action, "*")]


class Names:
    """Physical resource names (as the functions see them) -> ARNs named by logical id."""

    def __init__(self, physical: Mapping[str, str], types: Mapping[str, str]) -> None:
        self._arns: dict[str, str] = {}
        for logical_id, name in physical.items():
            try:
                self._arns[name] = resource_arn(logical_id, types[logical_id])
            except (KeyError, ValueError):
                continue

    def arn(self, physical: str) -> str:
        if physical == "*":
            return physical
        if "/index/" in physical:
            table, index = physical.split("/index/", 1)
            return f"{self.arn(table)}/index/{index}"
        bucket, slash, object_key = physical.partition("/")
        if slash and bucket in self._arns and self._arns[bucket].startswith("arn:aws:s3:"):
            return f"{self._arns[bucket]}/{object_key}"  # an object of a bucket
        if ":function:" in physical:  # a function's ARN, as Lambda accepts it too
            physical = physical.split(":function:", 1)[1].split(":", 1)[0]
        return self._arns.get(physical, f"unknown:{physical}")
