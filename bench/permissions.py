"""Least privilege, checked: what each function calls against what its role allows.

The local stack does not enforce IAM, so a missing permission only shows once deployed, and an
excess one never shows. Both sides are brought to one form here and compared:

- a call: (function, IAM action, resource ARN), from the requests `bench.instrument` records
  per function on the local stack (`requirements` turns a request into the actions it needs);
- a grant: (function, action pattern, resource pattern), from the IAM roles in the template as
  SAM translates it (policy templates expanded), plus the AWS managed policies SAM attaches.

Resources are named by their logical id on both sides (`resource_arn`): a table's ARN is
`arn:aws:dynamodb:us-east-1:123456789012:table/OperationsTable` whatever moto or CloudFormation
called it, so a mismatch reads as the template does.

`check` reports a call no grant allows (missing) and a grant no call used (excess), unless the
grant is in an explicit list of what is needed although no local run can show it.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"

# What SAM attaches by ARN (Tracing: Active, an SQS event, every function): AWS's own
# documents, as published, so their grants are checked like the template's.
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

# boto3's service name -> IAM's prefix, where they differ.
IAM_PREFIX = {"stepfunctions": "states", "sesv2": "ses"}
# Batch requests IAM authorizes as the single action.
SINGLE_ACTION = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
}
TRANSACT_ACTION = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


@dataclass(frozen=True, order=True)
class Call:
    function: str
    action: str  # e.g. dynamodb:GetItem
    resource: str  # an ARN naming the logical resource, or "*" when the request names none


@dataclass(frozen=True, order=True)
class Grant:
    function: str
    action: str  # a pattern, e.g. sqs:SendMessage*
    resource: str  # a pattern, e.g. arn:aws:dynamodb:...:table/HistoryTable/index/*
    source: str  # where it comes from: the role's policy name, or a managed policy's name


@dataclass(frozen=True)
class Allowance:
    """A grant that no local run can exercise but the function needs; `reason` says why."""

    function: str  # a logical id, or "*" for every function
    action: str  # matched against the grant's action pattern, exactly
    resource: str
    reason: str

    def covers(self, grant: Grant) -> bool:
        return (
            self.function in ("*", grant.function)
            and self.action == grant.action
            and self.resource == grant.resource
        )


# ---------------------------------------------------------------- naming resources


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
        case "AWS::Cognito::UserPool":
            return f"{prefix}:cognito-idp:{where}:userpool/{logical_id}"
    raise ValueError(f"no ARN known for {logical_id} ({resource_type})")


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


# ---------------------------------------------------------------- grants


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


# ---------------------------------------------------------------- calls


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
        if ":function:" in physical:  # a function's ARN, as Lambda accepts it too
            physical = physical.split(":function:", 1)[1].split(":", 1)[0]
        return self._arns.get(physical, f"unknown:{physical}")


# ---------------------------------------------------------------- comparing


def _pattern(glob: str, *, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in glob
    )
    return re.compile(regex, re.IGNORECASE if ignore_case else 0)


def allows(grant: Grant, call: Call) -> bool:
    """IAM's matching: actions ignore case, resources do not; `*` and `?` are wildcards."""
    return (
        grant.function == call.function
        and _pattern(grant.action, ignore_case=True).fullmatch(call.action) is not None
        and _pattern(grant.resource, ignore_case=False).fullmatch(call.resource) is not None
    )


def short(arn: str) -> str:
    """An ARN as the template names it: OperationsTable, OperationsTable/index/by-watch."""
    if arn == "*":
        return "*"
    tail = re.split(r":(?:table/|function:|stateMachine:|log-group:)|:sqs:[^:]*:[^:]*:", arn)
    return tail[-1] if len(tail) > 1 else arn


@dataclass
class Findings:
    missing: list[str]
    excess: list[str]
    stale_allowances: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.excess or self.stale_allowances)

    def report(self) -> str:
        parts = []
        if self.missing:
            parts.append("Missing permissions (a recorded call its role does not allow):")
            parts += [f"  - {line}" for line in self.missing]
        if self.excess:
            parts.append(
                "Excess permissions (allowed, but no recorded run called it; remove it from "
                "template.yaml, or allow it in tests with a reason):"
            )
            parts += [f"  - {line}" for line in self.excess]
        if self.stale_allowances:
            parts.append(
                "Stale allowances (the check allows what is no longer granted or is now called):"
            )
            parts += [f"  - {line}" for line in self.stale_allowances]
        return "\n".join(parts)


def check(
    calls: Iterable[Call], granted: Iterable[Grant], allowances: Iterable[Allowance] = ()
) -> Findings:
    calls = sorted(set(calls))
    granted = sorted(set(granted))
    allowances = list(allowances)
    missing = [
        f"{call.function} calls {call.action} on {short(call.resource)} ({call.resource})"
        for call in calls
        if not any(allows(grant, call) for grant in granted)
    ]
    excess = []
    needed: set[int] = set()  # allowances that cover a grant no call used
    called: set[int] = set()  # allowances that cover a grant a call used: not needed any more
    for grant in granted:
        covering = {n for n, allowance in enumerate(allowances) if allowance.covers(grant)}
        if any(allows(grant, call) for call in calls):
            called |= covering
        elif covering:
            needed |= covering
        else:
            excess.append(
                f"{grant.function} may {grant.action} on {short(grant.resource)} "
                f"({grant.resource}; {grant.source}), but no recorded call needed it"
            )
    stale = [
        f"{allowance.function} {allowance.action} on {short(allowance.resource)}: "
        + ("a recorded call uses it now" if number in called else "nothing grants it")
        for number, allowance in enumerate(allowances)
        if number in called or number not in needed
    ]
    return Findings(missing, excess, stale)
