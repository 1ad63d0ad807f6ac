"""What a platform said, or that it said nothing: what the connector returns or raises, and what
the classifier reads."""

import json
from dataclasses import dataclass, field
from typing import Any


class DeliveryError(Exception):
    """The platform gave no HTTP answer. `ambiguous`: the request may have reached it."""

    ambiguous = False


class PlatformTimeout(DeliveryError):
    ambiguous = True


class PlatformConnectionError(DeliveryError):
    def __init__(self, message: str, *, ambiguous: bool) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class PlatformResponse:
    status_code: int
    text: str
    call: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None
