"""GET/PUT /v1/settings/report and the console's form: any user of the merchant reads the
report's settings, only an admin changes them. The merchant is the caller's, never the
request's."""

from ordersync.merchants.models import Caller, Role
from ordersync.merchants.repository import UserRepository
from ordersync.merchants.service import Forbidden, current_user
from ordersync.reports.models import ReportSettings
from ordersync.reports.store import ReportStore


def view(
    caller: Caller, users: UserRepository | None = None, store: ReportStore | None = None
) -> ReportSettings:
    current_user(caller, users)  # a user this merchant still has (403 otherwise)
    return (store or ReportStore()).get(caller.merchant_id)


def update(
    caller: Caller,
    change: ReportSettings,
    users: UserRepository | None = None,
    store: ReportStore | None = None,
) -> ReportSettings:
    if current_user(caller, users).role is not Role.ADMIN:
        raise Forbidden("only an admin sets the daily report")
    (store or ReportStore()).put(caller.merchant_id, change)
    return change
