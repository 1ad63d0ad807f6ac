"""What a merchant user may do, decided from their record (never from the request): who they
are, and an admin's management of the merchant's users."""

from ordersync.core.clock import now
from ordersync.merchants.directory import CognitoDirectory, Directory, InvalidEmail, UserExists
from ordersync.merchants.models import (
    Caller,
    InvalidGrant,
    InviteRequest,
    Me,
    MerchantUser,
    Role,
    UserUpdate,
    UserView,
    check_grant,
)
from ordersync.merchants.repository import UserRepository, UserStore


class Forbidden(Exception):
    """The caller may not do this (403)."""


class UserNotFound(Exception):
    """No such user in the caller's merchant (404), whether or not another merchant has one."""


class UserConflict(Exception):
    """The request contradicts what is there (409)."""


def _repo(repo: UserRepository | None) -> UserRepository:
    return repo or UserStore()


def current_user(caller: Caller, repo: UserRepository | None = None) -> MerchantUser:
    """The caller's record in their merchant; a valid token without one gets nothing."""
    user = _repo(repo).get(caller.merchant_id, caller.user_id)
    if user is None:
        raise Forbidden("this account has no access to the merchant")
    return user


def _admin(caller: Caller, repo: UserRepository) -> MerchantUser:
    user = current_user(caller, repo)
    if user.role is not Role.ADMIN:
        raise Forbidden("only an admin manages users")
    return user


def me(caller: Caller, repo: UserRepository | None = None) -> Me:
    user = current_user(caller, repo)
    return Me(
        **UserView.of(user).model_dump(),
        can_manage_users=user.role is Role.ADMIN,
        can_sync_orders=user.role is not Role.VIEWER and user.permissions.order_sync,
    )


def list_users(caller: Caller, repo: UserRepository | None = None) -> list[UserView]:
    repo = _repo(repo)
    _admin(caller, repo)
    users = sorted(repo.list(caller.merchant_id), key=lambda user: user.email)
    return [UserView.of(user) for user in users]


def invite(
    caller: Caller,
    request: InviteRequest,
    repo: UserRepository | None = None,
    directory: Directory | None = None,
) -> UserView:
    """Create the user in the caller's merchant: Cognito first, so a failure in between leaves
    an account without a record, which can sign in but is refused everything."""
    repo = _repo(repo)
    admin = _admin(caller, repo)
    try:
        user_id = (directory or CognitoDirectory()).invite(
            request.email, caller.merchant_id, request.role
        )
    except UserExists as error:
        raise UserConflict(f"{request.email} already has an account") from error
    moment = now()
    user = MerchantUser(
        user_id=user_id,
        merchant_id=caller.merchant_id,
        email=request.email,
        role=request.role,
        permissions=request.permissions,
        created_at=moment,
        updated_at=moment,
        created_by=admin.user_id,
    )
    if not repo.create(user):
        raise UserConflict(f"{request.email} already has an account")
    return UserView.of(user)


def update(
    caller: Caller,
    user_id: str,
    change: UserUpdate,
    repo: UserRepository | None = None,
    directory: Directory | None = None,
) -> UserView:
    repo = _repo(repo)
    _admin(caller, repo)
    user = repo.get(caller.merchant_id, user_id)
    if user is None:
        raise UserNotFound(f"no user {user_id} in this merchant")
    role = change.role or user.role
    # Only the permissions the request names change; the others stay as granted.
    granted = change.permissions.model_dump(exclude_unset=True) if change.permissions else {}
    permissions = user.permissions.model_copy(update=granted)
    try:
        check_grant(role, permissions)
    except InvalidGrant as error:
        # The body was valid on its own (the model checks that); it clashes with the record.
        raise UserConflict(
            f"{error}; this user {'is a viewer' if role is user.role else 'has order-sync'}: "
            "change the role and the grant together"
        ) from error
    if user_id == caller.user_id and role is not Role.ADMIN:
        raise UserConflict("an admin cannot give up their own admin role; ask another admin")
    changed = user.model_copy(
        update={"role": role, "permissions": permissions, "updated_at": now()}
    )
    if role is not user.role:
        (directory or CognitoDirectory()).set_role(user.email, role)
    if not repo.replace(changed):
        raise UserNotFound(f"no user {user_id} in this merchant")
    return UserView.of(changed)


__all__ = [
    "Forbidden",
    "InvalidEmail",
    "InvalidGrant",
    "UserConflict",
    "UserExists",
    "UserNotFound",
]
