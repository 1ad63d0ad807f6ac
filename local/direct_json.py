"""The stack's own DynamoDB and SQS requests handed to moto's handlers without the HTTP request
moto's dispatch builds for them.

`local.direct_aws` gives moto each in-process request as its server would see it: a werkzeug request
built from the URL, headers and body, the service found through the server's URL map, then the
handler's general set-up (query string, region from the URL, account, IAM visit). For DynamoDB and
SQS, nearly all of the stack's requests, that came to about a tenth of the stack's CPU under a soak
(docs/performance.md, "The soak: DynamoDB and SQS past moto's HTTP layer"). Both speak JSON: a POST
whose `X-Amz-Target` names the operation and whose credential scope names the region. This sets the
service's handler up from exactly those, parses the body with moto's own parser (so binary values
arrive as bytes, as over HTTP) and runs moto's own `call_action`, whose answer (body, status, CRC32
header) botocore parses as before.
"""

import os
from functools import cache
from typing import Any
from urllib.parse import urlparse

from botocore.awsrequest import AWSPreparedRequest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.parse import PROTOCOL_PARSERS
from moto.core.responses import BaseResponse, get_service_model
from moto.core.utils import utcnow
from moto.dynamodb.responses import DynamoHandler
from moto.sqs.responses import SQSResponse
from werkzeug.datastructures import Headers
from werkzeug.http import http_date

# Target prefix -> (moto's handler, botocore's service name).
SERVICES: dict[str, tuple[type[BaseResponse], str]] = {
    "DynamoDB_20120810": (DynamoHandler, "dynamodb"),
    "AmazonSQS": (SQSResponse, "sqs"),
}


def handles(request: AWSPreparedRequest) -> bool:
    return _text(request.headers.get("X-Amz-Target", "")).split(".")[0] in SERVICES


@cache
def _parser(service: str, operation: str) -> Any:
    operation_model = get_service_model(service).operation_model(operation)
    return PROTOCOL_PARSERS["json"](operation_model, map_type=BaseResponse.PROTOCOL_PARSER_MAP_TYPE)


def answer(request: AWSPreparedRequest) -> Any:
    """moto's answer, as its handler's `call_action` gives it: (status, headers, body)."""
    # Looked up by any case, as moto's server's werkzeug headers are.
    headers = Headers({name: _text(value) for name, value in request.headers.items()})
    prefix, operation = headers["X-Amz-Target"].split(".", 1)
    handler_class, service = SERVICES[prefix]
    body = request.body or b""
    if not isinstance(body, bytes | str):
        body = body.read()
    text = body.decode() if isinstance(body, bytes) else body
    # The credential scope: key/day/region/service/aws4_request, as moto's server reads it.
    scope = headers.get("Authorization", "").split(",")[0].split("/")
    handler = handler_class()
    handler.headers = headers
    handler.method = "POST"
    handler.uri = request.url
    handler.parsed_url = urlparse(request.url)
    handler.path = handler.raw_path = handler.parsed_url.path
    handler.querystring = handler.data = {}
    handler.uri_match = {}
    handler.response_headers = {"server": "amazon.com", "date": http_date(utcnow())}
    handler.region = scope[2] if len(scope) > 2 else "us-east-1"
    handler.current_account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    handler.raw_body = body
    handler.body = text
    handler.params = _parser(service, operation).parse(
        {
            "method": "POST",
            "values": {},
            "headers": headers,
            "body": text,
            "url_path": handler.path,
            "url_params": {},
        }
    )
    return handler.call_action()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
