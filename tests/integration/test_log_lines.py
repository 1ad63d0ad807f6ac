"""What a delivery writes to the logs at INFO (CloudWatch Logs bills every byte ingested): a
success nothing (the outcome's own line tells it); a failed attempt one line, since the run's
next attempt may end differently and hide it."""

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from local.lambdas import LambdaContext, load_handler
from local.template import LocalTemplate
from ordersync.core.pii import PiiMaskingFormatter
from tests.factories import task_event


@pytest.fixture
def order_create():
    load_handler(LocalTemplate.load().functions["OrderCreateFunction"])
    return sys.modules["ordersync_local_OrderCreateFunction"].lambda_handler


@pytest.fixture
def written(order_create) -> Iterator[io.StringIO]:
    """Every line the functions' loggers write from now on (each holds the stream it was made
    with: their handlers are pointed here, and back afterwards)."""
    into = io.StringIO()
    handlers = [
        handler
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if isinstance(handler.formatter, PiiMaskingFormatter)
    ]
    assert handlers, "the delivery function's logger"
    before = [handler.setStream(into) for handler in handlers]
    yield into
    for handler, stream in zip(handlers, before, strict=True):
        handler.setStream(stream)


def _deliver(order_create, message) -> dict:
    return order_create(task_event(message), LambdaContext("OrderCreateFunction", 40))


def _info(into: io.StringIO) -> list[dict]:
    lines = [json.loads(line) for line in into.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line["level"] == "INFO"]


def test_a_delivered_order_writes_no_info_line(demo_create, order_create, written):
    summary = _deliver(order_create, demo_create("00000000-0000-0000-0000-0000000000b1"))
    assert summary["outcome"]["code"] == "Order Created"
    assert _info(written) == []


def test_a_rejected_attempt_writes_one_line_with_its_code(
    demo_create, order_create, written, platform
):
    platform.state.faults.append({"kind": "reject", "message": "no such SKU", "times": 1})
    summary = _deliver(order_create, demo_create("00000000-0000-0000-0000-0000000000b2"))
    [line] = _info(written)
    assert line["message"] == "delivery attempt"
    assert line["code"] == summary["outcome"]["code"] != "Order Created"
    assert "function_arn" not in line
