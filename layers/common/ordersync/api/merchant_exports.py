"""Merchant exports: `GET /v1/alerts/export` and `GET /v1/history/export` (the list's filters
and `columns=`, `format=csv|xlsx`), answered with the file itself or, past the threshold, 202 and
an export job; `GET /v1/exports/{exportId}` shows a job and, once done, its download link."""

import base64
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from ordersync.api.merchant_identity import calling_user
from ordersync.exports import service
from ordersync.exports.jobs import ExportKind
from ordersync.exports.requests import parse_export
from ordersync.exports.writers import MEDIA_TYPES
from ordersync.history.query import InvalidQuery
from ordersync.merchants.service import current_user

router = APIGatewayHttpRouter()

MERCHANT: list[dict[str, list[str]]] = [{"merchant": []}]
ExportId = Annotated[str, Path(min_length=1, max_length=64)]
ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["statusCode", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "message": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "problem": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
FILE_OR_JOB: dict[int, OpenAPIResponse] = {
    200: {
        "description": "the file itself (up to the threshold), with a Content-Disposition name",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in (MEDIA_TYPES.values())
        },
    },
    202: {
        "description": "too large to answer at once: an export job (see GET /v1/exports/{id})",
        "content": {"application/json": {"model": service.ExportView}},
    },
    422: {
        "description": "every problem of the filters, columns or format at once",
        "content": {"application/json": {"schema": ERROR}},
    },
}


@router.get("/v1/alerts/export", security=MERCHANT, responses=FILE_OR_JOB)
def export_alerts() -> Response[Any]:
    return _export(ExportKind.ALERTS)


@router.get("/v1/history/export", security=MERCHANT, responses=FILE_OR_JOB)
def export_history() -> Response[Any]:
    return _export(ExportKind.HISTORY)


@router.get(
    "/v1/exports/<exportId>",
    security=MERCHANT,
    responses={
        404: {
            "description": "no export of this merchant has this id",
            "content": {"application/json": {"schema": ERROR}},
        }
    },
)
def get_export(exportId: ExportId) -> service.ExportView:  # named as in the contract
    found = service.status(_merchant(), exportId)
    if found is None:
        raise NotFoundError(f"no export {exportId}")
    return found


def _merchant() -> str:
    """The caller's merchant, once their record shows they still belong to it (any role may
    export: viewers read)."""
    return current_user(calling_user(router)).merchant_id


def _export(kind: ExportKind) -> Response[Any]:
    merchant_id = _merchant()
    try:
        request = parse_export(kind, router.current_event.query_string_parameters)
    except InvalidQuery as invalid:
        raise RequestValidationError(invalid.problems) from invalid
    result = service.export(merchant_id, request)
    if isinstance(result, service.ExportFile):
        # A file goes through API Gateway base64-encoded. Encoded here rather than left to
        # powertools (which encodes a bytes body): its response validation would first try to
        # read the bytes as UTF-8, which an XLSX (a zip) is not.
        answer: Response[Any] = Response(
            status_code=200,
            content_type=result.media_type,
            body=base64.b64encode(result.body).decode(),
            headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
        )
        answer.base64_encoded = True
        return answer
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=service.view(result).model_dump(by_alias=True, mode="json"),
        headers={"Location": f"{_stage_prefix()}/v1/exports/{result.export_id}"},
    )


def _stage_prefix() -> str:
    """What comes before the route in the path the client used (`/dev` on a stage's default
    URL, nothing on a custom domain), so the job's Location works where the client is."""
    event = router.current_event
    route_path = event.route_key.split(" ", 1)[-1]
    raw = event.raw_path
    return raw[: -len(route_path)] if raw.endswith(route_path) else ""
