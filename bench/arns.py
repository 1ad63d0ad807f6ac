"""Resources named by their logical id, both ways: the ARN a template resource gets here
(`resource_arn`), and an ARN shortened back to the template's name (`short`).

A table's ARN is `arn:aws:dynamodb:us-east-1:123456789012:table/OperationsTable` whatever moto or
CloudFormation called it, so the least-privilege check (`bench.permissions`) reads as the
template does.
"""

import re

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"


def resource_arn(logical_id: str, resource_type: str) -> str:
    """The ARN of a template resource, named by its logical id."""
    prefix = f"arn:{PARTITION}"
    where = f"{REGION}:{ACCOUNT}"
    match resource_type:
        case "AWS::DynamoDB::Table":
            return f"{prefix}:dynamodb:{where}:table/{logical_id}"
        case "AWS::SQS::Queue":
            return f"{prefix}:sqs:{where}:{logical_id}"
        case "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine":
            return f"{prefix}:states:{where}:stateMachine:{logical_id}"
        case "AWS::Lambda::Function" | "AWS::Serverless::Function":
            return f"{prefix}:lambda:{where}:function:{logical_id}"
        case "AWS::Logs::LogGroup":
            return f"{prefix}:logs:{where}:log-group:{logical_id}:*"
        case "AWS::IAM::Role":
            return f"{prefix}:iam::{ACCOUNT}:role/{logical_id}"
        case "AWS::S3::Bucket":
            return f"{prefix}:s3:::{logical_id}"
        case "AWS::Cognito::UserPool":
            return f"{prefix}:cognito-idp:{where}:userpool/{logical_id}"
    raise ValueError(f"no ARN known for {logical_id} ({resource_type})")


def short(arn: str) -> str:
    """An ARN as the template names it: OperationsTable, OperationsTable/index/by-watch."""
    if arn == "*":
        return "*"
    tail = re.split(r":(?:table/|function:|stateMachine:|log-group:)|:sqs:[^:]*:[^:]*:|:s3:::", arn)
    return tail[-1] if len(tail) > 1 else arn
