"""AWS calls made inside the local stack's process answered by moto's backends in that process,
without a round trip through its HTTP server.

The handlers (run in process), the SQS and stream pollers and moto's Step Functions calling Lambda
all send their requests to moto's server on 127.0.0.1: botocore serialised and signed each, urllib3
sent it, werkzeug parsed it and Flask and moto's dispatcher found its service, about half of the
stack's CPU (docs/performance.md, "The local stack: where its time and memory go"). Registered as a
`before-send` hook on boto3's default session, which every client made in this process inherits,
this hands the signed request to moto as `mock_aws` does (`moto.core.botocore_stubber`), but finds
the service as moto's server does: from the request's signature (the client's signing name and
region) and target header, since the URL's host is 127.0.0.1; DynamoDB's and SQS's requests go
straight to their moto handler instead (`local.direct_json`). The package knows nothing of it.
Botocore still serialises, retries and parses, and its `before-call` hooks (fault injection, the
bench's counting) still see every call. Other processes (the soak driver, the AWS CLI, the
end-to-end tests, `--isolated` workers, a browser opening a presigned link) reach the same backends
over HTTP.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import boto3
import botocore
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.exceptions import ClientError
from moto.core.botocore_stubber import MockRawResponse
from moto.core.request import Request
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.exceptions import HTTPException

from local import direct_json

log = logging.getLogger("local.direct_aws")
UNIQUE_ID = "local-direct-aws"


class DirectDispatch:
    """The `before-send` hook: answers a request to `endpoint` from moto in this thread, or
    returns None (botocore then sends it) for any other URL or in a forked child, whose copy of
    moto's backends is not the stack's."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/") + "/"
        self.pid = os.getpid()
        # The server's own dispatcher class: the same service for a request as over HTTP. It
        # keeps a Flask app per service only for its URL map, built once.
        self._dispatcher = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.Lock()
        self.answered = 0

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not request.url.startswith(self.endpoint) or os.getpid() != self.pid:
            return None
        if direct_json.handles(request):
            status, headers, body = self._answer(request.url, lambda: direct_json.answer(request))
        else:
            status, headers, body = self._answer_over_moto_dispatch(request)
        with self._lock:
            self.answered += 1
        if request.method == "HEAD":
            body = b""  # as the server's WSGI layer drops it; Content-Length stays
        return AWSResponse(request.url, status, headers, MockRawResponse(_bytes(body)))  # type: ignore[arg-type]

    def _answer_over_moto_dispatch(
        self, prepared: AWSPreparedRequest
    ) -> tuple[int, dict[str, str], Any]:
        request = Request.from_primitives(
            prepared.method, prepared.url, prepared.headers, prepared.body
        )
        environ = request.environ

        def call() -> Any:
            app = self._dispatcher.get_application(environ)
            endpoint, _ = app.url_map.bind_to_environ(environ).match()
            callback = app.view_functions[endpoint].callback
            recorder._record_request(request)
            return callback(request, request.raw_url, dict(request.headers))

        return self._answer(f"{request.method} {request.url}", call)

    def _answer(self, named: str, call: Callable[[], Any]) -> tuple[int, dict[str, str], Any]:
        try:
            try:
                # What moto's Flask view does (moto.core.utils.convert_to_flask_response).
                result = call()
            except ClientError as error:
                result = 400, {}, error.response["Error"]["Message"]
        except HTTPException as error:
            # moto's service errors, and a path no route matches: as Flask would answer them.
            return error.code or 500, dict(error.get_headers()), error.get_body()
        except Exception:
            # Over HTTP, Flask answers a backend's crash with a 500, which botocore retries and
            # then raises as a ClientError: the caller sees the same here, not moto's exception.
            log.exception("moto failed %s", named)
            return 500, {}, b"moto raised an exception answering this request"
        if len(result) == 3:
            status, answer_headers, content = result
            return int(status), {k: str(v) for k, v in answer_headers.items()}, content
        return 200, {}, result


def _bytes(body: str | bytes | Iterable[bytes] | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    return b"".join(part.encode() if isinstance(part, str) else part for part in body)


def install(endpoint: str) -> DirectDispatch:
    """Answer this process's requests to `endpoint` in process from now on. Clients copy the
    session's hooks when they are made: install before the stack makes any."""
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    dispatch = DirectDispatch(endpoint)
    events = boto3.DEFAULT_SESSION.events
    scope = CredentialScope(endpoint)
    # unique_id: a second stack in this process replaces the first's hooks, not adds to them.
    for event, handler in (
        ("choose-signer", scope.choose_signer),
        ("before-sign", scope.name_service),
        ("before-send", dispatch),
    ):
        events.unregister(event, unique_id=f"{UNIQUE_ID}-{event}")
        events.register(event, handler, unique_id=f"{UNIQUE_ID}-{event}")
    return dispatch


class CredentialScope:
    """moto never checks a signature; it reads only the credential scope of the Authorization
    header (which service, which region, whose key). Signing every request (a CRT SigV4 over
    the whole body) was 8% of the stack's CPU, so the stack's own requests carry only that
    scope. Every boto3 client in the stack's process talks to moto; presigned URLs (an export's
    link) are signed as before, since a browser takes them to moto's S3 over HTTP."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/") + "/"

    def choose_signer(self, signature_version: str, **_: Any) -> Any:
        if signature_version.endswith(("-query", "-presign-post")):
            return None  # botocore's own choice
        return botocore.UNSIGNED

    def name_service(
        self,
        request: AWSRequest,
        signing_name: str,
        region_name: str,
        signature_version: Any,
        request_signer: Any,
        **_: Any,
    ) -> None:
        if signature_version is not botocore.UNSIGNED or not request.url.startswith(self.endpoint):
            return
        credentials = request_signer._credentials  # the client's, as SigV4 would name them
        key = credentials.access_key if credentials is not None else "local"
        moment = time.gmtime()  # one clock reading: the scope's day and the date agree at midnight
        day = time.strftime("%Y%m%d", moment)
        request.headers["X-Amz-Date"] = time.strftime("%Y%m%dT%H%M%SZ", moment)
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={key}/{day}/{region_name}/{signing_name}/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=unsigned-local"
        )
