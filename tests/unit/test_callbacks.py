import time

from ordersync.core.signing import malformed, sign, verify

PATH = "/v1/callbacks/op-1"


def test_a_signed_request_verifies_and_a_changed_one_does_not():
    now = str(int(time.time()))
    body = b'{"orderId":"WEB-1","code":"Order Created"}'
    signature = sign("secret", "POST", PATH, now, body)
    assert signature.startswith("v2=")
    assert verify("secret", "POST", PATH, now, body, signature)
    assert not verify("secret", "POST", PATH, now, body.replace(b"WEB-1", b"WEB-2"), signature)
    assert not verify("other", "POST", PATH, now, body, signature)


def test_the_signature_binds_the_method_and_the_path():
    now = str(int(time.time()))
    signature = sign("secret", "POST", PATH, now, b"{}")
    assert not verify("secret", "POST", "/v1/callbacks/op-2", now, b"{}", signature)
    assert not verify("secret", "PUT", PATH, now, b"{}", signature)
    # No separator games: the path cannot absorb the start of the body.
    assert sign("secret", "POST", "/a\n1", now, b"{}") != sign(
        "secret", "POST", "/a", now, b"1\n{}"
    )


def test_an_old_signature_is_refused_as_a_replay():
    then = str(int(time.time()) - 3600)
    body = b"{}"
    assert not verify("secret", "POST", PATH, then, body, sign("secret", "POST", PATH, then, body))


def test_malformed_headers_are_refused_without_raising():
    now = str(int(time.time()))
    good = sign("secret", "POST", PATH, now, b"{}")
    for stamp in ("not-a-time", "\uff11\uff12\uff13", "\u00b2", "1" * 5000, ""):
        assert malformed(stamp, good)
        assert not verify("secret", "POST", PATH, stamp, b"{}", good)
    for signature in ("v1=" + good[3:], "v2=" + "\u00e9" * 64, good.upper(), ""):
        assert malformed(now, signature)
        assert not verify("secret", "POST", PATH, now, b"{}", signature)
