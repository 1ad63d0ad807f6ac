"""What only the merchant side reads from its environment."""

from ordersync.core.settings import EnvironmentSettings, resettable


class MerchantSettings(EnvironmentSettings):
    merchant_user_pool_id: str


@resettable
def merchant_settings() -> MerchantSettings:
    return MerchantSettings.from_environment()
