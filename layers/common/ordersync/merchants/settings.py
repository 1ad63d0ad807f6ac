"""What only the merchant side reads from its environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict

from ordersync.core.settings import resettable


class MerchantSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    merchant_user_pool_id: str


@resettable
def merchant_settings() -> MerchantSettings:
    return MerchantSettings()
