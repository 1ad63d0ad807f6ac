"""What only the console reads from its environment."""

from ordersync.core.settings import EnvironmentSettings, resettable


class ConsoleSettings(EnvironmentSettings):
    merchant_user_pool_id: str
    merchant_user_pool_client_id: str
    aws_region: str = "us-east-1"
    # Local stack only: moto serves the pool's keys on its own origin, not Cognito's.
    aws_endpoint_url: str | None = None
    # Off only where the console is served over plain HTTP to a client that will not keep a
    # Secure cookie (never on AWS: API Gateway serves HTTPS only).
    secure_cookie: bool = True


@resettable
def console_settings() -> ConsoleSettings:
    return ConsoleSettings.from_environment()
