"""The whole local stack, started and stopped as one: embedded AWS, the stack from template.yaml,
the simulated platform, the SQS pollers and the front door."""

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

import boto3

from local import embedded_aws, moto_retention
from local.cognito import SignInRefused, UserPool, create_user_pools, resolve
from local.frontdoor import FrontDoor
from local.jwt_authorizer import JwtAuthorizer
from local.lambdas import LocalFunctions
from local.mail import create_mail_resources, outbox
from local.platform import PlatformServer
from local.pollers import QueuePoller
from local.ports import free_port
from local.schedules import ScheduleRunner
from local.seed import seed_alert_contacts, seed_daily_report, seed_demo, seed_merchant_users
from local.streams import StreamPoller
from local.template import LocalTemplate

STACK_NAME = "ordersync-local"
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass
class LocalStackOptions:
    port: int = 3000
    platform_port: int = 3001
    aws_port: int = 0
    # Below 1, retry waits and SQS backoffs shrink by this factor so soaks finish in minutes.
    time_scale: float = 1.0
    poller_concurrency: int = 4
    # Each Lambda execution environment a process of its own, as on Lambda (`local.workers`);
    # off, handlers run in this process (the bench instruments them there).
    isolated: bool = False
    # Isolated, a function is stopped after this many times its timeout (see local.workers).
    timeout_factor: float = 3.0
    log_level: str = "WARNING"
    parameters: dict[str, str] = field(default_factory=dict)


class LocalStack:
    def __init__(self, options: LocalStackOptions | None = None) -> None:
        self.options = options or LocalStackOptions()
        self.template = LocalTemplate.load()
        self.functions = LocalFunctions(
            self.template.functions,
            serial=frozenset(route.function for route in self.template.routes),
        )
        self.resources: dict[str, str] = {}
        self.cognito: dict[str, dict[str, str]] = {}
        self.pollers: list[QueuePoller] = []
        self.streams: list[StreamPoller] = []
        self.schedules: list[ScheduleRunner] = []
        self._servers: list[Any] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.options.port}"

    @property
    def platform_url(self) -> str:
        return f"http://127.0.0.1:{self.options.platform_port}"

    def start(self) -> "LocalStack":
        options = self.options
        aws_port = options.aws_port or free_port()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._environment(aws_port)
        self._servers.append(embedded_aws.start(self.functions, aws_port, options.time_scale))
        self._create_stack()
        self._function_environment()
        create_mail_resources(
            self.template, self.client("ses"), {**self._template_defaults(), **self._parameters()}
        )
        seed_demo(self.platform_url)
        seed_alert_contacts()
        seed_daily_report()
        self.user_pool = UserPool(
            self.client("cognito-idp"),
            self.resources["MerchantUserPool"],
            self.resources["MerchantUserPoolClient"],
        )
        seed_merchant_users(self.user_pool)
        self.platform = PlatformServer(options.platform_port, confirm_to=self.url)
        self.platform.start()
        self._servers.append(self.platform)
        self._start_pollers()
        for mapping in self.template.stream_mappings:
            stream = StreamPoller(mapping, self.resources[mapping.table_logical_id], self.functions)
            stream.start()
            self.streams.append(stream)
        for schedule in self.template.schedules:
            runner = ScheduleRunner(schedule, self.functions, options.time_scale)
            runner.start()
            self.schedules.append(runner)
        self.front_door = FrontDoor(
            options.port,
            self.template.routes,
            self.template.authorizers,
            self.functions,
            local_routes={"/_local/outbox": self.outbox, "/_local/stack": self.describe},
            jwt_authorizers=self._jwt_authorizers(aws_port),
            local_posts={"/_local/sign-in": self.sign_in},
        )
        self.front_door.start()
        self._servers.append(self.front_door)
        return self

    def stop(self) -> None:
        for runner in self.schedules:
            runner.stop()
        for poller in self.pollers:
            poller.stop()
        for stream in self.streams:
            stream.stop()
        for server in reversed(self._servers):
            server.shutdown() if hasattr(server, "shutdown") else server.stop()
        self.functions.stop()

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION)

    def _environment(self, aws_port: int) -> None:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
                # moto's Step Functions calls Lambda back through its own server on this port.
                "MOTO_PORT": str(aws_port),
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "POWERTOOLS_SERVICE_NAME": "ordersync-local",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": self.options.log_level,
            }
        )

    def _parameters(self) -> dict[str, str]:
        return {"Stage": "local", "LogLevel": self.options.log_level, **self.options.parameters}

    def _create_stack(self) -> None:
        cloudformation = self.client("cloudformation")
        parameters = self._parameters()
        self.cognito = create_user_pools(
            self.template, self.client("cognito-idp"), {**parameters, "AWS::Region": REGION}
        )
        self.resources.update({name: values["Ref"] for name, values in self.cognito.items()})
        body = self.template.cloudformation(parameters, self.cognito)
        cloudformation.create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(body),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise RuntimeError(
                f"local stack not created: {stack['StackStatus']} {stack.get('StackStatusReason')}"
            )
        machine_types = {
            self._resolve_name(resource): resource["Properties"].get("StateMachineType", "STANDARD")
            for resource in body["Resources"].values()
            if resource["Type"] == "AWS::StepFunctions::StateMachine"
        }
        paginator = cloudformation.get_paginator("list_stack_resources")
        for page in paginator.paginate(StackName=STACK_NAME):
            for resource in page["StackResourceSummaries"]:
                self.resources[resource["LogicalResourceId"]] = resource["PhysicalResourceId"]
        embedded_aws.adopt_state_machines(machine_types, ACCOUNT, REGION)
        moto_retention.bound_deleted_handles(ACCOUNT, REGION)

    def _resolve_name(self, resource: dict[str, Any]) -> str:
        name = resource["Properties"]["StateMachineName"]
        if isinstance(name, dict) and "Fn::Sub" in name:
            return str(name["Fn::Sub"]).replace("${Stage}", self._parameters()["Stage"])
        return str(name)

    def _function_environment(self) -> None:
        """Each function's environment, resolved by CloudFormation. Isolated, each function's
        processes get only their own; otherwise all of them become this process's."""
        lambda_client = self.client("lambda")
        own: dict[str, dict[str, str]] = {}
        for logical_id in self.template.functions:
            physical = self.resources[logical_id]
            self.functions.physical_names[physical] = logical_id
            config = lambda_client.get_function_configuration(FunctionName=physical)
            variables = config.get("Environment", {}).get("Variables", {})
            own[logical_id] = self._localised({k: str(v) for k, v in variables.items()})
        merged = {name: value for variables in own.values() for name, value in variables.items()}
        if self.options.isolated:
            # What the runtime sets (region, endpoint, credentials, powertools' local switches)
            # and the function's own variables; no other function's.
            base = {k: v for k, v in os.environ.items() if k not in merged}
            self.functions.isolate(
                {name: {**base, **own[name]} for name in own}, self.options.timeout_factor
            )
        os.environ.update(merged)

    def _localised(self, variables: dict[str, str]) -> dict[str, str]:
        """A function's variables as the local stack runs it: its waits shrunk by the time scale."""
        scale = self.options.time_scale
        variables.pop("POWERTOOLS_SERVICE_NAME", None)
        variables["RETRY_TIME_SCALE"] = str(min(1.0, scale))
        if "PUBLIC_BASE_URL" in variables:
            # The links in emails lead to this front door (the template's default: the API's URL).
            variables["PUBLIC_BASE_URL"] = self.url
        variables["STUCK_GRACE_SECONDS"] = str(15 * 60 * scale)
        for name in ("QUEUED_ALERT_MINUTES", "VERIFICATION_TIMEOUT_MINUTES"):
            if name in variables:
                variables[name] = str(float(variables[name]) * scale)
        return variables

    def _start_pollers(self) -> None:
        sqs = self.client("sqs")
        for mapping in self.template.queue_mappings:
            queue_url = self.resources[mapping.queue_logical_id]
            arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            poller = QueuePoller(
                mapping, queue_url, arn, self.functions, sqs, self.options.poller_concurrency
            )
            poller.start()
            self.pollers.append(poller)

    def _jwt_authorizers(self, aws_port: int) -> dict[str, JwtAuthorizer]:
        """The template's JWT authorizers, their issuer and audience resolved to the pool and
        client created on moto, whose server also serves the pool's JWKS."""
        names = {**self._parameters(), "AWS::Region": REGION}
        return {
            name: JwtAuthorizer(
                issuer=resolve(spec.issuer, names, self.cognito),
                audience=resolve(spec.audience, names, self.cognito),
                jwks_origin=f"http://127.0.0.1:{aws_port}",
            )
            for name, spec in self.template.jwt_authorizers.items()
        }

    def sign_in(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        """POST /_local/sign-in {"email", "password"}: a seeded (or invited) user's id token."""
        try:
            body = json.loads(raw or b"{}")
            email, password = str(body["email"]), str(body["password"])
        except (ValueError, KeyError, TypeError):
            return 400, {"message": 'send {"email": ..., "password": ...}'}
        try:
            return 200, {"token": self.user_pool.sign_in(email, password)}
        except SignInRefused as refused:
            return 401, {"message": str(refused)}

    def outbox(self) -> list[dict[str, Any]]:
        return outbox()

    def _template_defaults(self) -> dict[str, str]:
        return {
            name: str(spec["Default"])
            for name, spec in self.template.sam.get("Parameters", {}).items()
            if "Default" in spec
        }

    def describe(self) -> dict[str, Any]:
        sqs = self.client("sqs")
        queues = {}
        for logical_id in ("OperationsQueue", "OperationsDeadLetterQueue"):
            attributes = sqs.get_queue_attributes(
                QueueUrl=self.resources[logical_id],
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            queues[logical_id] = {
                "visible": int(attributes["ApproximateNumberOfMessages"]),
                "inFlight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
            }
        return {
            "awsEndpoint": os.environ["AWS_ENDPOINT_URL"],
            "queues": queues,
            "resources": self.resources,
            "platform": self.platform_url,
            "invocations": self.functions.invocations,
            "environments": self.functions.environments,
            "schedules": [
                {"function": r.schedule.function, "runs": r.runs, "failures": r.failures}
                for r in self.schedules
            ],
            "pollers": [
                {"function": p.mapping.function, "batches": p.batches, "failures": p.failures}
                for p in [*self.pollers, *self.streams]
            ],
        }
