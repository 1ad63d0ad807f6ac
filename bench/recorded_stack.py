"""The local stack as both bench runs use it: on free ports, every AWS call recorded, and an
HTTP client holding the demo channel's credential."""

from typing import Any

import httpx

from bench.dynamo_meter import table_shapes
from bench.instrument import install
from bench.recorder import Recorder
from local.ports import free_port
from local.seed import DEMO_CREDENTIAL
from local.stack import LocalStack, LocalStackOptions


def start_recorded(**options: Any) -> tuple[LocalStack, Recorder, httpx.Client]:
    stack = LocalStack(LocalStackOptions(port=free_port(), platform_port=free_port(), **options))
    stack.start()
    recorder = Recorder(stack, table_shapes(stack.template.sam))
    install(recorder)
    channel = httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {DEMO_CREDENTIAL}"}, timeout=60
    )
    return stack, recorder, channel
