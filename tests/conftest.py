from typing import Any

import pytest

from tests.factories import load_event


@pytest.fixture
def order_request() -> dict[str, Any]:
    """A valid create-order body (events/requests/create_order.json)."""
    return load_event("requests/create_order.json")
