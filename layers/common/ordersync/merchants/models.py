"""A merchant's users: role, granted permissions, and the caller a token names."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ordersync.core.models import Record, Setting

# The shape the user pool takes as a username (ASCII, starting with a letter or digit, a dotted
# domain with a top-level part of two letters or more): an address it would refuse is the
# caller's 422, not our 500. Nothing is trimmed, so what the document's pattern refuses is
# refused here too.
Email = Annotated[
    str,
    StringConstraints(
        to_lower=True,
        max_length=254,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
    ),
]


class Role(StrEnum):
    """The user pool's groups. Viewers read; operators and admins may be granted order-sync
    actions; only admins manage users."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Permissions(Setting):
    """What an admin grants per user; everything is off until granted."""

    # Strict: 0 and "false" are not booleans (the document says boolean; found by schemathesis).
    order_sync: StrictBool = Field(
        default=False, description="May retry, resend, ignore and mark orders as synced."
    )
    notifications: StrictBool = Field(
        default=False, description="Receives alert emails and digests."
    )


class MerchantUser(Record):
    """A user's record in the config table (pk MERCHANT#<merchant>, sk USER#<userId>)."""

    user_id: str
    merchant_id: str
    email: str
    role: Role
    permissions: Permissions = Permissions()
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None


class Caller(BaseModel):
    """Who sent a merchant request, as the JWT authorizer's verified claims say."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    user_id: str
    merchant_id: str
    email: str


VIEWER_READS_ONLY = "a viewer reads only: order-sync actions need the operator or admin role"
# The same rule in the OpenAPI document, for a body that names both the role and the grant.
VIEWER_RULE: dict[str, Any] = {
    "if": {"properties": {"role": {"const": "viewer"}}, "required": ["role"]},
    "then": {"properties": {"permissions": {"properties": {"orderSync": {"const": False}}}}},
}


def check_grant(role: Role, permissions: Permissions) -> None:
    if role is Role.VIEWER and permissions.order_sync:
        raise InvalidGrant(VIEWER_READS_ONLY)


class InvalidGrant(ValueError):
    """A role and permissions that do not go together."""


class UserView(Record):
    """A user as the API shows it."""

    user_id: str
    email: str
    merchant_id: str
    role: Role
    permissions: Permissions

    @classmethod
    def of(cls, user: MerchantUser) -> Self:
        return cls(
            user_id=user.user_id,
            email=user.email,
            merchant_id=user.merchant_id,
            role=user.role,
            permissions=user.permissions,
        )


class Me(UserView):
    """The signed-in user: their record, and what it lets them do."""

    can_manage_users: bool
    can_sync_orders: bool


class InviteRequest(BaseModel):
    """POST /v1/users: the merchant and the user id are the server's, never the body's."""

    model_config = ConfigDict(
        defer_build=True,
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra=VIEWER_RULE,
    )

    email: Email
    role: Role
    permissions: Permissions = Permissions()

    @model_validator(mode="after")
    def _grant_fits_role(self) -> Self:
        check_grant(self.role, self.permissions)
        return self


class UserUpdate(BaseModel):
    """PUT /v1/users/{userId}: a new role, permissions to grant or revoke (those not named stay
    as they are), or both. A viewer granted order-sync in the body itself is a 422; a change
    that clashes with what the user already has (making a user with order-sync a viewer) is the
    service's 409."""

    model_config = ConfigDict(
        defer_build=True,
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra=VIEWER_RULE,
    )

    role: Role | None = None
    permissions: Permissions | None = None

    @model_validator(mode="after")
    def _grant_fits_role(self) -> Self:
        if self.role is Role.VIEWER and self.permissions and self.permissions.order_sync:
            raise InvalidGrant(VIEWER_READS_ONLY)
        return self
