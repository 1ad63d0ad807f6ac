"""The demo merchant, integration and channel that `make run` starts with; a second merchant,
so isolation can be seen; and the merchant users who sign in (password `ordersync-local`)."""

from typing import TYPE_CHECKING

from local.platform import DEMO_CALLBACK_SECRET, DEMO_TOKEN, DEMO_VERIFICATION_SECRET
from ordersync.config.models import Channel, Integration, PlatformAuth
from ordersync.config.repository import ConfigStore
from ordersync.config.secrets import secret_name
from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.core.settings import get_settings
from ordersync.merchants.models import MerchantUser, Permissions, Role
from ordersync.merchants.repository import UserStore
from ordersync.notifications.models import Contact, StoredSettings
from ordersync.notifications.recipients import SettingsStore
from ordersync.reports.models import ReportSettings
from ordersync.reports.store import ReportStore

if TYPE_CHECKING:
    from local.cognito import UserPool

DEMO_MERCHANT = "demo-merchant"
DEMO_INTEGRATION = "demo-erp"
DEMO_CHANNEL = "demo-shop"
# Local only: the front door's demo credential, printed by `make run` and used in the README.
DEMO_CREDENTIAL = "osk_demo_local_credential"
# A second channel of the same merchant whose marketplace has no cancellation API.
MARKETPLACE_CHANNEL = "demo-marketplace"
MARKETPLACE_CREDENTIAL = "osk_demo_marketplace_credential"
# A third channel with a tight rate limit (2 requests a second, 5 at once), to see a 429.
LIMITED_CHANNEL = "demo-limited"
LIMITED_CREDENTIAL = "osk_demo_limited_credential"
# The soak and the benchmark send hundreds of requests at once through the demo channels.
LOAD_TEST_LIMITS = {"requests_per_second": 1000.0, "burst": 2000}
# A second merchant with its own integration (on the same simulated platform) and channel.
OTHER_MERCHANT = "other-merchant"
OTHER_INTEGRATION = "other-erp"
OTHER_CHANNEL = "other-shop"
OTHER_CREDENTIAL = "osk_other_local_credential"

# Local only: every seeded merchant user signs in with this password.
USER_PASSWORD = "ordersync-local"
# email -> (merchant, role, permissions an admin granted)
USERS: dict[str, tuple[str, Role, Permissions]] = {
    "admin@demo-merchant.test": (DEMO_MERCHANT, Role.ADMIN, Permissions()),
    "operator@demo-merchant.test": (DEMO_MERCHANT, Role.OPERATOR, Permissions(order_sync=True)),
    "viewer@demo-merchant.test": (DEMO_MERCHANT, Role.VIEWER, Permissions()),
    "admin@other-merchant.test": (OTHER_MERCHANT, Role.ADMIN, Permissions()),
}


def put_secret(merchant_id: str, integration_id: str, kind: str, value: str) -> str:
    """The secret in Secrets Manager (created, or its value replaced: a rotation); its ARN."""
    client = aws.secretsmanager()
    name = secret_name(get_settings().stage, merchant_id, integration_id, kind)
    try:
        return client.create_secret(Name=name, SecretString=value)["ARN"]
    except client.exceptions.ResourceExistsException:
        return client.put_secret_value(SecretId=name, SecretString=value)["ARN"]


def seed_demo(platform_url: str, config: ConfigStore | None = None) -> None:
    config = config or ConfigStore()
    config.put_integration(
        Integration(
            integration_id=DEMO_INTEGRATION,
            merchant_id=DEMO_MERCHANT,
            name="Demo ERP",
            base_url=platform_url,  # type: ignore[arg-type]
            auth=PlatformAuth(
                kind="bearer",
                token_secret_arn=put_secret(DEMO_MERCHANT, DEMO_INTEGRATION, "token", DEMO_TOKEN),
            ),
            timeout_seconds=2.0,
            # The demo ERP takes at most this many requests at once (operations.inflight).
            max_in_flight=6,
            sync_customers=True,
            callback_url=f"{platform_url}/callbacks",  # type: ignore[arg-type]
            callback_secret_arn=put_secret(
                DEMO_MERCHANT, DEMO_INTEGRATION, "callback", DEMO_CALLBACK_SECRET
            ),
            verification_secret_arn=put_secret(
                DEMO_MERCHANT, DEMO_INTEGRATION, "verification", DEMO_VERIFICATION_SECRET
            ),
        )
    )
    config.put_channel(
        Channel(
            channel_id=DEMO_CHANNEL,
            merchant_id=DEMO_MERCHANT,
            integration_id=DEMO_INTEGRATION,
            name="Demo Shop",
            **LOAD_TEST_LIMITS,
        ),
        DEMO_CREDENTIAL,
    )
    config.put_channel(
        Channel(
            channel_id=MARKETPLACE_CHANNEL,
            merchant_id=DEMO_MERCHANT,
            integration_id=DEMO_INTEGRATION,
            name="Demo Marketplace",
            supports_cancellation=False,
            **LOAD_TEST_LIMITS,
        ),
        MARKETPLACE_CREDENTIAL,
    )
    config.put_channel(
        Channel(
            channel_id=LIMITED_CHANNEL,
            merchant_id=DEMO_MERCHANT,
            integration_id=DEMO_INTEGRATION,
            name="Demo Limited",
            requests_per_second=2.0,
            burst=5,
        ),
        LIMITED_CREDENTIAL,
    )
    config.put_integration(
        Integration(
            integration_id=OTHER_INTEGRATION,
            merchant_id=OTHER_MERCHANT,
            name="Other ERP",
            base_url=platform_url,  # type: ignore[arg-type]
            auth=PlatformAuth(
                kind="bearer",
                token_secret_arn=put_secret(OTHER_MERCHANT, OTHER_INTEGRATION, "token", DEMO_TOKEN),
            ),
            timeout_seconds=2.0,
        )
    )
    config.put_channel(
        Channel(
            channel_id=OTHER_CHANNEL,
            merchant_id=OTHER_MERCHANT,
            integration_id=OTHER_INTEGRATION,
            name="Other Shop",
        ),
        OTHER_CREDENTIAL,
    )


def seed_merchant_users(pool: "UserPool", users: UserStore | None = None) -> None:
    """Each seeded user in the pool (merchant attribute, group) and their record."""
    users = users or UserStore()
    moment = now()
    for email, (merchant_id, role, permissions) in USERS.items():
        user_id = pool.create_user(email, USER_PASSWORD, merchant_id, role)
        users.create(
            MerchantUser(
                user_id=user_id,
                merchant_id=merchant_id,
                email=email,
                role=role,
                permissions=permissions,
                created_at=moment,
                updated_at=moment,
            )
        )


# Each merchant's alert contact: told at once (immediate), so `make run` shows an email in
# GET /_local/outbox as soon as an order fails in a way that needs a person.
ALERT_CONTACTS = {
    DEMO_MERCHANT: Contact(name="Demo ops desk", email="alerts@demo-merchant.test"),
    OTHER_MERCHANT: Contact(name="Other ops desk", email="alerts@other-merchant.test"),
}


def seed_alert_contacts(settings: SettingsStore | None = None) -> None:
    settings = settings or SettingsStore()
    for merchant_id, contact in ALERT_CONTACTS.items():
        settings.put(merchant_id, StoredSettings(contacts=[contact]))


# The demo merchant's daily report (08:00 in Paris, every order), so `make report` has one to
# send; the other merchant has none until an admin sets it.
DAILY_REPORT = ReportSettings(
    send_time="08:00", time_zone="Europe/Paris", recipients=["reports@demo-merchant.test"]
)


def seed_daily_report() -> None:
    ReportStore().put(DEMO_MERCHANT, DAILY_REPORT)
