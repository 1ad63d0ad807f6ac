"""What a handler loads before any code of ours: the libraries this project requires, each set up
as our handlers set it up, chosen by what the handler itself imported and in that order.

`bench.cold_start` times these with boto3 and the function's clients in a fresh interpreter (the
"libraries" figure), so each function's ratio can be read against what its libraries alone
leave under the target. `bench/probe.py` loads this file by path (it runs isolated, without the
bench package on sys.path), so it imports nothing from the repository.
"""

from collections.abc import Callable


def _pydantic() -> None:
    from pydantic import BaseModel

    class Probe(BaseModel):
        name: str
        count: int = 0

    Probe(name="probe")


def _logger() -> None:
    from aws_lambda_powertools import Logger

    Logger()


def _tracer() -> None:
    from aws_lambda_powertools import Tracer

    Tracer(patch_modules=["botocore"])


def _http_resolver() -> None:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    APIGatewayHttpResolver()


def _sqs_batch() -> None:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

    BatchProcessor(event_type=EventType.SQS)


def _httpx() -> None:
    import httpx  # noqa: F401


def _jinja2() -> None:
    import jinja2

    jinja2.Environment(autoescape=True)


def _joserfc() -> None:
    from joserfc import jwt  # noqa: F401
    from joserfc.jwk import KeySet  # noqa: F401


# A module the handler imported -> what sets that library up the way our handlers do. The
# Tracer is keyed on the X-Ray SDK: a handler that imports powertools without creating a Tracer
# (the authorizer) does not load it.
ENTRY_POINTS: dict[str, Callable[[], None]] = {
    "pydantic": _pydantic,
    "aws_lambda_powertools.logging": _logger,
    "aws_xray_sdk": _tracer,
    "aws_lambda_powertools.event_handler.api_gateway": _http_resolver,
    "aws_lambda_powertools.utilities.batch": _sqs_batch,
    "httpx": _httpx,
    "jinja2": _jinja2,
    "joserfc": _joserfc,
}


def required_by(modules: list[str]) -> list[str]:
    """The entry points a handler that imported `modules` (in their import order) needs, in the
    order it reached them. The order matters: powertools' batch utility imports its parser
    models (pydantic models for SQS, Kinesis, Kafka and DynamoDB records) only when pydantic is
    already imported, which our handlers, importing powertools first, do not pay."""
    position = {module: index for index, module in enumerate(modules)}
    needed = [marker for marker in ENTRY_POINTS if marker in position]
    return sorted(needed, key=position.__getitem__)


def load(markers: list[str]) -> None:
    for marker in markers:
        ENTRY_POINTS[marker]()
