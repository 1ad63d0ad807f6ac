"""The merchant user pool on moto: moto's CloudFormation skips AWS::Cognito::* (a warning, no
resource), so the pool, its app client and its groups are created here, from template.yaml,
through moto's cognito-idp API; and merchant users are created and signed in through it too."""

from dataclasses import dataclass
from typing import Any

from local.template import LocalTemplate

ACCOUNT = "123456789012"
# CloudFormation property -> cognito-idp request parameter, where the two differ.
RENAMED = {"UserPoolName": "PoolName"}


class SignInRefused(Exception):
    """Wrong email or password, or an account that must set a new password first."""


def resolve(value: Any, parameters: dict[str, str], created: dict[str, dict[str, str]]) -> Any:
    """A template value with Refs and ${...} filled from parameters and created resources."""
    pseudo = {"AWS::Region": parameters["AWS::Region"], "AWS::AccountId": ACCOUNT}
    names = {**pseudo, **parameters, **{k: v["Ref"] for k, v in created.items()}}
    if isinstance(value, list):
        return [resolve(item, parameters, created) for item in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Ref"]:
        return names[value["Ref"]]
    if list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        for name, replacement in names.items():
            text = text.replace(f"${{{name}}}", replacement)
        return text
    if list(value) == ["Fn::GetAtt"]:
        name, attribute = value["Fn::GetAtt"]
        return created[name][attribute]
    return {key: resolve(item, parameters, created) for key, item in value.items()}


def create_user_pools(
    template: LocalTemplate, client: Any, parameters: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Create the template's pools, then their clients, then their groups; logical id ->
    {"Ref": physical id, attribute: value} as CloudFormation would resolve them."""
    created: dict[str, dict[str, str]] = {}
    region = parameters["AWS::Region"]

    def properties(resource: dict[str, Any]) -> dict[str, Any]:
        props = resolve(resource.get("Properties", {}), parameters, created)
        return {RENAMED.get(name, name): value for name, value in props.items()}

    for logical_id, resource in template.resources_of_type("AWS::Cognito::UserPool").items():
        if resource["Type"] != "AWS::Cognito::UserPool":
            continue
        pool = client.create_user_pool(**properties(resource))["UserPool"]
        created[logical_id] = {
            "Ref": pool["Id"],
            "Arn": pool["Arn"],
            "ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool['Id']}",
            "ProviderURL": f"https://cognito-idp.{region}.amazonaws.com/{pool['Id']}",
        }
    for logical_id, resource in template.resources_of_type("AWS::Cognito::UserPoolClient").items():
        app_client = client.create_user_pool_client(**properties(resource))["UserPoolClient"]
        created[logical_id] = {"Ref": app_client["ClientId"], "Name": app_client["ClientName"]}
    for logical_id, resource in template.resources_of_type("AWS::Cognito::UserPoolGroup").items():
        group = client.create_group(**properties(resource))["Group"]
        created[logical_id] = {"Ref": group["GroupName"]}
    return created


@dataclass(frozen=True)
class UserPool:
    """The merchant pool and the app client merchants sign in with."""

    client: Any
    pool_id: str
    client_id: str

    def create_user(self, email: str, password: str, merchant_id: str, group: str) -> str:
        """A user who can sign in at once with `password`; returns their id (`sub`)."""
        created = self.client.admin_create_user(
            UserPoolId=self.pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:merchant_id", "Value": merchant_id},
            ],
            MessageAction="SUPPRESS",
        )
        self.client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=email, Password=password, Permanent=True
        )
        self.client.admin_add_user_to_group(
            UserPoolId=self.pool_id, Username=email, GroupName=group
        )
        attributes = {a["Name"]: a["Value"] for a in created["User"]["Attributes"]}
        return str(attributes["sub"])

    def sign_in(self, email: str, password: str) -> str:
        """The user's id token (it carries the merchant and groups the routes need; API
        Gateway's JWT authorizer checks its `aud`, the app client)."""
        errors = self.client.exceptions
        try:
            answer = self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except (errors.NotAuthorizedException, errors.UserNotFoundException) as error:
            raise SignInRefused("wrong email or password") from error
        if "AuthenticationResult" not in answer:
            raise SignInRefused(f"the account must answer {answer.get('ChallengeName')} first")
        return str(answer["AuthenticationResult"]["IdToken"])
