"""A moto server of the tests' own and boto3 sessions for it: the in-process answers
(`local.direct_aws`, `local.direct_json`) are checked against the same server over HTTP."""

from collections.abc import Iterator

import boto3
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from local import direct_aws
from local.ports import free_port

REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def local_session(dispatch: direct_aws.DirectDispatch | None = None) -> boto3.Session:
    """A session with the stack's keys; with `dispatch`, its requests are answered in process."""
    session = boto3.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name=REGION
    )
    if dispatch is not None:
        session.events.register("before-send", dispatch)
    return session
