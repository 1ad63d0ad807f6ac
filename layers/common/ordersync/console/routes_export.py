"""Exporting the alert list as the console shows it (its filters and columns) to CSV or XLSX,
through `ordersync.exports`: a small export is the file itself; a larger one is a job the export
function writes into S3, whose page links to the file once it is there.

`ordersync.exports` (its writers, jobs and settings: about 5 ms CPU of imports) comes with the
first export, as the actions come with the first order page: most cold starts show a page."""

import base64
from typing import Any

from aws_lambda_powertools.event_handler import Response

from ordersync.console import lists
from ordersync.console.render import HEADERS, page, redirect
from ordersync.console.web import base, common, current_session, query, router


@router.get("/console/export")
def export_view() -> Response[Any]:
    from ordersync.exports import service
    from ordersync.exports.jobs import ExportJob, ExportKind
    from ordersync.exports.requests import parse_export

    current = current_session()
    params = lists.form_params(query())
    request = parse_export(ExportKind.ALERTS, params)  # InvalidQuery: a 422 page, every problem
    result = service.export(current.caller.merchant_id, request)
    if isinstance(result, ExportJob):
        return redirect(f"{base()}/exports/{result.export_id}")
    answer: Response[Any] = Response(
        200,
        result.media_type,
        base64.b64encode(result.body).decode(),
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{result.filename}"',
        },
    )
    answer.base64_encoded = True  # an XLSX is a zip: it crosses API Gateway base64-encoded
    return answer


@router.get("/console/exports/<exportId>")
def export_job(exportId: str) -> Response[str]:
    from ordersync.exports import service

    current = current_session()
    found = service.status(current.caller.merchant_id, exportId)  # the merchant's own only
    if found is None:
        return page("refused.html", 404, base=base(), title="No such export", reason=exportId)
    return page("export.html", **common(current, "alerts"), export=found)
