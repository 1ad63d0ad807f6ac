"""The simulated platform's side of an asynchronous acceptance: some time after answering 202,
it posts its verdict to ordersync, signed as a real platform would (independently of ordersync's
own code): the method, the path naming the operation, the timestamp and the body, one a line."""

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any


def confirm_later(
    ordersync_url: str,
    secret: str,
    operation_id: str,
    verdict: dict[str, Any],
    *,
    after: float,
    done: Callable[[int], None],
) -> None:
    """POST `verdict` to ordersync's callback route for `operation_id` in `after` seconds;
    `done` gets the HTTP status (0 if nothing answered)."""
    body = json.dumps(verdict).encode()

    def post() -> None:
        stamp = str(int(time.time()))
        path = f"/v1/callbacks/{operation_id}"
        signed = b"\n".join((b"POST", path.encode(), stamp.encode(), body))
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f"{ordersync_url}{path}",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Ordersync-Timestamp": stamp,
                "X-Ordersync-Signature": f"v2={digest}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        done(status)

    timer = threading.Timer(after, post)
    timer.daemon = True
    timer.start()
