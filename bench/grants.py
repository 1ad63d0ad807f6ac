"""IAM grants, read from the template as SAM translates it: (function, action pattern, resource
pattern) for every statement of each Lambda function's role (policy templates expanded), plus
the AWS managed policies SAM attaches, as AWS publishes them.

The intrinsic functions the statements use are evaluated with logical ids as names
(`bench.arns`), so a grant names the resource as the template does.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench.arns import ACCOUNT, PARTITION, REGION, resource_arn

# What SAM attaches by ARN (Tracing: Active, an SQS or a DynamoDB stream event, every function):
# AWS's own documents, as published, so their grants are checked like the template's.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}


@dataclass(frozen=True, order=True)
class Grant:
    function: str
    action: str  # a pattern, e.g. sqs:SendMessage*
    resource: str  # a pattern, e.g. arn:aws:dynamodb:...:table/HistoryTable/index/*
    source: str  # where it comes from: the role's policy name, or a managed policy's name


def _ref(logical_id: str, resource_type: str) -> str:
    """What `!Ref` of a resource gives, named by its logical id."""
    match resource_type:
        case "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{logical_id}"
        case "AWS::StepFunctions::StateMachine":
            return resource_arn(logical_id, resource_type)
    return logical_id  # tables, functions, log groups, roles: their name


def _get_att(logical_id: str, resource_type: str, attribute: str) -> str:
    if attribute == "Arn":
        return resource_arn(logical_id, resource_type)
    if attribute in ("QueueName", "Name", "TableName"):
        return logical_id
    raise ValueError(f"no value known for {logical_id}.{attribute} ({resource_type})")


class Resolver:
    """Evaluates the intrinsic functions IAM statements use, with logical ids as names."""

    def __init__(self, cfn: dict[str, Any], parameters: Mapping[str, str] | None = None) -> None:
        self.types = {name: resource["Type"] for name, resource in cfn["Resources"].items()}
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in cfn.get("Parameters", {}).items()
        }
        self.parameters.update(parameters or {})
        self.parameters.update(
            {
                "AWS::Partition": PARTITION,
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::URLSuffix": "amazonaws.com",
            }
        )

    def ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.types:
            return _ref(name, self.types[name])
        raise ValueError(f"!Ref {name}: no such parameter or resource")

    def get_att(self, name: str, attribute: str) -> str:
        if name not in self.types:
            raise ValueError(f"!GetAtt {name}.{attribute}: no such resource")
        return _get_att(name, self.types[name], attribute)

    def resolve(self, value: Any, variables: Mapping[str, str] | None = None) -> Any:
        if isinstance(value, str | int | float):
            return value
        if isinstance(value, list):
            return [self.resolve(item, variables) for item in value]
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(f"cannot resolve {value!r}")
        ((function, argument),) = value.items()
        if function == "Ref":
            return self.ref(argument)
        if function == "Fn::GetAtt":
            name, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self.get_att(name, attribute)
        if function == "Fn::Sub":
            template, names = (argument, {}) if isinstance(argument, str) else argument
            own = {key: str(self.resolve(item)) for key, item in names.items()}
            return re.sub(r"\$\{([^}!]+)\}", lambda m: self._variable(m[1], own), template)
        if function == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self.resolve(items))
        raise ValueError(f"cannot resolve {function} in an IAM statement")

    def _variable(self, name: str, own: Mapping[str, str]) -> str:
        if name in own:
            return own[name]
        if "." in name:
            resource, attribute = name.split(".", 1)
            return self.get_att(resource, attribute)
        return self.ref(name)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def function_roles(cfn: dict[str, Any]) -> dict[str, str]:
    """Each Lambda function's role, by logical id."""
    roles = {}
    for name, resource in cfn["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role = resource["Properties"]["Role"]
        if not (isinstance(role, dict) and "Fn::GetAtt" in role):
            raise ValueError(f"{name}: its role is not a role of this template ({role!r})")
        roles[name] = _listed(role["Fn::GetAtt"])[0].split(".")[0]
    return roles


def grants(cfn: dict[str, Any], parameters: Mapping[str, str] | None = None) -> list[Grant]:
    """Every (function, action, resource) the functions' roles allow, one per pair."""
    resolver = Resolver(cfn, parameters)
    found: list[Grant] = []
    for function, role in function_roles(cfn).items():
        props = cfn["Resources"][role]["Properties"]
        documents = [
            (policy["PolicyName"], policy["PolicyDocument"]["Statement"])
            for policy in props.get("Policies", [])
        ]
        for arn in props.get("ManagedPolicyArns", []):
            if arn not in MANAGED_POLICIES:
                raise ValueError(f"{function}: managed policy {arn} is unknown to this check")
            documents.append((arn.rsplit("/", 1)[-1], MANAGED_POLICIES[arn]))
        for source, statements in documents:
            for statement in _listed(statements):
                if statement.get("Effect") != "Allow" or "Condition" in statement:
                    raise ValueError(
                        f"{function} ({source}): only unconditional Allow statements are "
                        f"understood here, not {statement!r}"
                    )
                if "NotAction" in statement or "NotResource" in statement:
                    raise ValueError(f"{function} ({source}): NotAction/NotResource not understood")
                for action in _listed(statement["Action"]):
                    for resource in _listed(resolver.resolve(statement["Resource"])):
                        found.append(Grant(function, action, str(resource), source))
    return found
