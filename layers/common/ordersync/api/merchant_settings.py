"""Merchant settings routes: who alert emails and digests go to, and how often (admins); the
daily order-sync report (any user reads it, admins set it)."""

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.api.merchant_identity import calling_user
from ordersync.notifications import preferences
from ordersync.notifications.models import NotificationSettingsUpdate, NotificationSettingsView
from ordersync.reports import preferences as report_preferences
from ordersync.reports.models import ReportSettings

router = APIGatewayHttpRouter()
MERCHANT: list[dict[str, list[str]]] = [{"merchant": []}]


@router.get("/v1/settings/notifications", security=MERCHANT)
def get_notification_settings() -> NotificationSettingsView:
    return preferences.view(calling_user(router))


@router.put("/v1/settings/notifications", security=MERCHANT)
def put_notification_settings(change: NotificationSettingsUpdate) -> NotificationSettingsView:
    return preferences.update(calling_user(router), change)


@router.get("/v1/settings/report", security=MERCHANT)
def get_report_settings() -> ReportSettings:
    return report_preferences.view(calling_user(router))


@router.put("/v1/settings/report", security=MERCHANT)
def put_report_settings(change: ReportSettings) -> ReportSettings:
    """The whole setting: send time and zone, scope, recipients (none: no report)."""
    return report_preferences.update(calling_user(router), change)
