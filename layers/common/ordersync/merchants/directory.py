"""The merchant user pool (Amazon Cognito): invite a user into a merchant with a role, and keep
the user's group the same as the role in their record, so the token says what the record says."""

from typing import Any, Protocol

from ordersync.core import aws
from ordersync.merchants.models import Role
from ordersync.merchants.settings import merchant_settings

MERCHANT_ATTRIBUTE = "custom:merchant_id"


class UserExists(Exception):
    """The email already has an account in the user pool."""


class InvalidEmail(Exception):
    """The user pool refuses the address as a username (the request's fault: a 422)."""


class Directory(Protocol):
    def invite(self, email: str, merchant_id: str, role: Role) -> str: ...
    def set_role(self, username: str, role: Role) -> None: ...


class CognitoDirectory:
    def __init__(self, user_pool_id: str | None = None) -> None:
        self._pool = user_pool_id or merchant_settings().merchant_user_pool_id

    def invite(self, email: str, merchant_id: str, role: Role) -> str:
        """Create the user (Cognito emails a temporary password) and return their id (`sub`)."""
        client = aws.cognito_idp()
        try:
            created = client.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": MERCHANT_ATTRIBUTE, "Value": merchant_id},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )
        except client.exceptions.UsernameExistsException as error:
            raise UserExists(email) from error
        except client.exceptions.InvalidParameterException as error:
            raise InvalidEmail(f"the user pool refuses {email!r} as an email address") from error
        attributes = {a["Name"]: a["Value"] for a in created["User"].get("Attributes", [])}
        user_id = attributes.get("sub") or created["User"]["Username"]
        client.admin_add_user_to_group(UserPoolId=self._pool, Username=email, GroupName=role)
        return str(user_id)

    def set_role(self, username: str, role: Role) -> None:
        """Add the new group first, then leave the others: never a moment in no group."""
        client = aws.cognito_idp()
        client.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role)
        groups: Any = client.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)
        for group in groups.get("Groups", []):
            if group["GroupName"] != role and group["GroupName"] in set(Role):
                client.admin_remove_user_from_group(
                    UserPoolId=self._pool, Username=username, GroupName=group["GroupName"]
                )
