"""The demo merchant, integration and channel that `make run` starts with."""

from ordersync.config import Channel, ConfigStore, Integration, PlatformAuth
from ordersync.models import OperationType

from local.platform import DEMO_TOKEN

DEMO_MERCHANT = "demo-merchant"
DEMO_INTEGRATION = "demo-erp"
DEMO_CHANNEL = "demo-shop"
# Local only: the front door's demo credential, printed by `make run` and used in the README.
DEMO_CREDENTIAL = "osk_demo_local_credential"


def seed_demo(platform_url: str, config: ConfigStore | None = None) -> None:
    config = config or ConfigStore()
    config.put_integration(
        Integration(
            integration_id=DEMO_INTEGRATION,
            merchant_id=DEMO_MERCHANT,
            name="Demo ERP",
            base_url=platform_url,  # type: ignore[arg-type]
            auth=PlatformAuth(kind="bearer", token=DEMO_TOKEN),
            paths={OperationType.CREATE: "/orders"},
            timeout_seconds=2.0,
        )
    )
    config.put_channel(
        Channel(
            channel_id=DEMO_CHANNEL,
            merchant_id=DEMO_MERCHANT,
            integration_id=DEMO_INTEGRATION,
            name="Demo Shop",
        ),
        DEMO_CREDENTIAL,
    )
