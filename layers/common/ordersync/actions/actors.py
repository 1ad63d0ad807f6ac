"""Who may act on a merchant's orders: a signed-in user whose record (read on every request, so
a revoked grant takes effect at once) has the order-sync permission an admin granted."""

from ordersync.actions.models import Actor
from ordersync.merchants.models import Caller, Role
from ordersync.merchants.repository import UserRepository
from ordersync.merchants.service import Forbidden, current_user

NOT_GRANTED = (
    "order-sync actions are off for this user until an admin grants them "
    "(PUT /v1/users/{userId} with permissions.orderSync)"
)
VIEWER = "a viewer reads only: order-sync actions need the operator or admin role"


def authorize(who: Caller | Actor, repo: UserRepository | None = None) -> Actor:
    """The actor `who` acts as; Forbidden (403, with the reason) if they may not act.

    An `Actor` is taken as allowed already (the resolve page checked its link); a `Caller`
    is checked against their user record."""
    if isinstance(who, Actor):
        return who
    user = current_user(who, repo)
    if user.role is Role.VIEWER:
        raise Forbidden(VIEWER)
    if not user.permissions.order_sync:
        raise Forbidden(NOT_GRANTED)
    return Actor(merchant_id=user.merchant_id, name=user.email, user_id=user.user_id)
