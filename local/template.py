"""Reading template.yaml for the local stack: what to create on moto, and what moto cannot run.

moto's CloudFormation creates the tables, queues, functions and state machines from the
translated template. What it cannot do, the local stack does itself from the same template:
HTTP API routes and the authorizers (front door), SQS event-source mappings (pollers),
DefinitionSubstitutions (turned into Fn::Join here), and the Cognito user pool, its client and
groups (local/cognito.py creates them; their ids replace the Refs to them here).
"""

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from samcli.yamlhelper import yaml_parse
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from local.template_refs import resolve_created, substitute, substituted

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"

# Resources moto's CloudFormation cannot create, or must not own locally.
NOT_FOR_MOTO = (
    "AWS::ApiGatewayV2::",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersion",
    "AWS::CloudWatch::Alarm",
    # It shows the alarms (by ARN), which moto's CloudFormation does not create.
    "AWS::CloudWatch::Dashboard",
    # moto's CloudFormation skips these with a warning; local/cognito.py creates them.
    "AWS::Cognito::",
    # moto's CloudFormation has none; its TLS-only rule could not hold for the local stack's
    # plain-HTTP links anyway.
    "AWS::S3::BucketPolicy",
    # Skipped by moto too; the local stack verifies the sender and creates the configuration
    # set through moto's SES API (local/stack.py).
    "AWS::SES::",
)


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    timeout: int


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    authorizer: str | None


@dataclass(frozen=True)
class JwtAuthorizerSpec:
    """An HTTP API JWT authorizer as the template writes it (Refs and Subs unresolved)."""

    name: str
    issuer: Any
    audience: list[Any]
    identity_source: str


@dataclass(frozen=True)
class QueueMapping:
    function: str
    queue_logical_id: str
    batch_size: int
    report_batch_item_failures: bool


@dataclass(frozen=True)
class StreamMapping:
    function: str
    table_logical_id: str
    batch_size: int
    report_batch_item_failures: bool
    maximum_retry_attempts: int


@dataclass(frozen=True)
class Schedule:
    function: str
    every_seconds: float


_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> float:
    """Seconds between runs of an EventBridge `rate(...)` expression (cron is not emulated)."""
    match = re.fullmatch(r"rate\((\d+) (minutes?|hours?|days?)\)", expression.strip())
    if match is None:
        raise ValueError(f"only rate() schedules run locally, not {expression!r}")
    return int(match[1]) * _RATE_UNITS[match[2].rstrip("s")]


@dataclass
class LocalTemplate:
    sam: dict[str, Any]
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    authorizers: dict[str, str] = field(default_factory=dict)
    jwt_authorizers: dict[str, JwtAuthorizerSpec] = field(default_factory=dict)
    queue_mappings: list[QueueMapping] = field(default_factory=list)
    stream_mappings: list[StreamMapping] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = TEMPLATE) -> "LocalTemplate":
        sam = yaml_parse(path.read_text())
        found = cls(sam=sam)
        globals_ = sam.get("Globals", {}).get("Function", {})
        for logical_id, resource in sam["Resources"].items():
            if resource["Type"] == "AWS::Serverless::HttpApi":
                for name, spec in (
                    resource["Properties"].get("Auth", {}).get("Authorizers", {}).items()
                ):
                    if "JwtConfiguration" in spec:
                        jwt = spec["JwtConfiguration"]
                        found.jwt_authorizers[name] = JwtAuthorizerSpec(
                            name=name,
                            issuer=jwt["issuer"],
                            audience=list(jwt.get("audience", [])),
                            identity_source=spec.get(
                                "IdentitySource", "$request.header.Authorization"
                            ),
                        )
                    else:
                        found.authorizers[name] = _ref_target(spec["FunctionArn"])
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            props = resource["Properties"]
            found.functions[logical_id] = FunctionSpec(
                logical_id=logical_id,
                code_dir=ROOT / props["CodeUri"],
                handler=props["Handler"],
                timeout=int(props.get("Timeout", globals_.get("Timeout", 3))),
            )
            for event in props.get("Events", {}).values():
                found._add_event(logical_id, event, sam)
        return found

    def _add_event(self, function: str, event: dict[str, Any], sam: dict[str, Any]) -> None:
        props = event["Properties"]
        if event["Type"] == "HttpApi":
            api = sam["Resources"][props["ApiId"]["Ref"]]["Properties"]
            default = api.get("Auth", {}).get("DefaultAuthorizer")
            chosen = props.get("Auth", {}).get("Authorizer", default)
            self.routes.append(
                Route(
                    method=props["Method"].upper(),
                    path=props["Path"],
                    function=function,
                    authorizer=None if chosen in (None, "NONE") else chosen,
                )
            )
        elif event["Type"] in ("Schedule", "ScheduleV2"):
            self.schedules.append(Schedule(function, rate_seconds(props["ScheduleExpression"])))
        elif event["Type"] == "DynamoDB":
            self.stream_mappings.append(
                StreamMapping(
                    function=function,
                    table_logical_id=_ref_target(props["Stream"]),
                    batch_size=int(props.get("BatchSize", 100)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in props.get("FunctionResponseTypes", []),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", 3)),
                )
            )
        elif event["Type"] == "SQS":
            self.queue_mappings.append(
                QueueMapping(
                    function=function,
                    queue_logical_id=_ref_target(props["Queue"]),
                    batch_size=int(props.get("BatchSize", 10)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in props.get("FunctionResponseTypes", []),
                )
            )

    def resources_of_type(self, prefix: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.sam["Resources"].items()
            if resource["Type"].startswith(prefix)
        }

    def cloudformation(
        self,
        parameters: dict[str, str],
        created: dict[str, dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """The template as moto's CloudFormation can create it. `created`: resources the local
        stack made itself (logical id -> {"Ref": id, attribute: value}), whose Refs, GetAtts and
        ${...} are replaced by their values."""
        sam = copy.deepcopy(self.sam)
        substitutions: dict[str, tuple[str, dict[str, Any]]] = {}
        for logical_id, resource in sam["Resources"].items():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::Serverless::Function":
                # The code runs in process; moto only needs a function to exist.
                props.pop("CodeUri", None)
                props["InlineCode"] = "# runs in the local stack's process"
                props.pop("Layers", None)
            elif resource["Type"] == "AWS::Serverless::LayerVersion":
                props["ContentUri"] = "s3://ordersync-local/layer.zip"
            elif resource["Type"] == "AWS::Serverless::StateMachine":
                definition = json.loads((ROOT / props.pop("DefinitionUri")).read_text())
                substitutions[logical_id] = (
                    json.dumps(definition),
                    props.pop("DefinitionSubstitutions", {}),
                )
                props["Definition"] = {
                    "StartAt": "Placeholder",
                    "States": {"Placeholder": {"Type": "Succeed"}},
                }
        globals_ = sam.get("Globals", {}).get("Function", {})
        globals_.pop("Layers", None)
        # The region only fills pseudo parameters; the local stack always runs in us-east-1.
        translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
        cfn = translator.translate(
            sam, parameter_values=dict(parameters), get_managed_policy_map=dict
        )
        for logical_id, (definition, subs) in substitutions.items():
            props = cfn["Resources"][logical_id]["Properties"]
            props.pop("Definition", None)
            props.pop("DefinitionSubstitutions", None)
            props["DefinitionString"] = substituted(definition, subs)
        cfn["Resources"] = {
            name: resource
            for name, resource in cfn["Resources"].items()
            if not resource["Type"].startswith(NOT_FOR_MOTO)
        }
        for resource in cfn["Resources"].values():
            if resource["Type"] == "AWS::Lambda::Function":
                resource["Properties"].pop("Layers", None)
        cfn.pop("Outputs", None)
        return resolve_created(
            cfn, {**self._stand_ins(), **self._named(parameters), **(created or {})}
        )

    def _named(self, parameters: dict[str, str]) -> dict[str, dict[str, str]]:
        """Refs to resources moto does not create: the HTTP API (the front door stands in for
        it) and SES's configuration sets (local/mail.py creates them by these names)."""
        named = {name: {"Ref": "local"} for name in self.resources_of_type("AWS::Serverless::Http")}
        for name, resource in self.resources_of_type("AWS::SES::ConfigurationSet").items():
            named[name] = {"Ref": substitute(resource["Properties"]["Name"], parameters)}
        return named

    def _stand_ins(self) -> dict[str, dict[str, str]]:
        """Values for the Cognito resources when nobody created them (the integration tests
        need only tables and queues): moto refuses a template that refers to a missing one."""
        arn = f"arn:aws:cognito-idp:{REGION}:123456789012:userpool"
        return {
            logical_id: {
                "Ref": logical_id,
                "Arn": f"{arn}/{logical_id}",
                "Name": logical_id,
                "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{logical_id}",
                "ProviderURL": f"https://cognito-idp.{REGION}.amazonaws.com/{logical_id}",
            }
            for logical_id in self.resources_of_type("AWS::Cognito::")
        }


def _ref_target(value: Any) -> str:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else target.split(".")[0])
    raise ValueError(f"expected a Ref or GetAtt, got {value!r}")
