import time

from ordersync.core.signing import sign, verify


def test_a_signed_body_verifies_and_a_changed_one_does_not():
    now = str(int(time.time()))
    body = b'{"orderId":"WEB-1","code":"Order Created"}'
    signature = sign("secret", now, body)
    assert signature.startswith("v1=")
    assert verify("secret", now, body, signature)
    assert not verify("secret", now, body.replace(b"WEB-1", b"WEB-2"), signature)
    assert not verify("other", now, body, signature)


def test_an_old_signature_is_refused_as_a_replay():
    then = str(int(time.time()) - 3600)
    body = b"{}"
    assert not verify("secret", then, body, sign("secret", then, body))
    assert not verify("secret", "not-a-time", body, sign("secret", "not-a-time", body))
