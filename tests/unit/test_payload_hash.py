"""An operation's body is recognised by a short hash, and so are bodies hashed before it was."""

import hashlib
import json

from ordersync.operations.records import payload_hash, same_payload

BODY = {"orderId": "WEB-1", "lines": [{"sku": "A", "quantity": 2}]}


def test_the_hash_is_short_and_ignores_key_order():
    assert len(payload_hash(BODY)) == 22
    assert payload_hash(BODY) == payload_hash(dict(reversed(list(BODY.items()))))


def test_a_body_matches_its_hash_old_or_new_and_no_other_body_does():
    legacy = hashlib.sha256(
        json.dumps(BODY, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert same_payload(payload_hash(BODY), BODY)
    assert same_payload(legacy, BODY)
    assert not same_payload(payload_hash(BODY), {**BODY, "orderId": "WEB-2"})
    assert not same_payload(None, BODY)
