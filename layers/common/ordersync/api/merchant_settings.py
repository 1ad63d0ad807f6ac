"""Merchant settings routes (admins): who alert emails and digests go to, and how often."""

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.api.merchant_identity import calling_user
from ordersync.notifications import preferences
from ordersync.notifications.models import NotificationSettingsUpdate, NotificationSettingsView

router = APIGatewayHttpRouter()
MERCHANT: list[dict[str, list[str]]] = [{"merchant": []}]


@router.get("/v1/settings/notifications", security=MERCHANT)
def get_notification_settings() -> NotificationSettingsView:
    return preferences.view(calling_user(router))


@router.put("/v1/settings/notifications", security=MERCHANT)
def put_notification_settings(change: NotificationSettingsUpdate) -> NotificationSettingsView:
    return preferences.update(calling_user(router), change)
