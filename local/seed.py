"""The demo merchant, integration and channel that `make run` starts with."""

from local.platform import DEMO_CALLBACK_SECRET, DEMO_TOKEN, DEMO_VERIFICATION_SECRET
from ordersync.config.models import Channel, Integration, PlatformAuth
from ordersync.config.repository import ConfigStore

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


def seed_demo(platform_url: str, config: ConfigStore | None = None) -> None:
    config = config or ConfigStore()
    config.put_integration(
        Integration(
            integration_id=DEMO_INTEGRATION,
            merchant_id=DEMO_MERCHANT,
            name="Demo ERP",
            base_url=platform_url,  # type: ignore[arg-type]
            auth=PlatformAuth(kind="bearer", token=DEMO_TOKEN),
            timeout_seconds=2.0,
            sync_customers=True,
            callback_url=f"{platform_url}/callbacks",  # type: ignore[arg-type]
            callback_secret=DEMO_CALLBACK_SECRET,
            verification_secret=DEMO_VERIFICATION_SECRET,
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
