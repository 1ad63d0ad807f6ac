import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


def load_event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


@pytest.fixture
def order_request() -> dict[str, Any]:
    """A valid create-order body (events/requests/create_order.json)."""
    return load_event("requests/create_order.json")
