"""Exports, start to finish: a small export is answered at once as the file itself; a larger
one (more rows than the threshold, or a file too big for a Lambda response) becomes a job on
the exports queue, which the export function writes into S3, recording its progress."""

import io
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ordersync.core import aws
from ordersync.core.clock import now
from ordersync.exports.jobs import (
    MAX_ATTEMPTS,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportStatus,
    ExportStore,
    expiry,
)
from ordersync.exports.requests import ExportRequest, parse_export
from ordersync.exports.settings import export_settings
from ordersync.exports.storage import MultipartSink, download_link
from ordersync.exports.writers import MEDIA_TYPES, writer

# A Lambda response is at most 6 MB and a binary file goes base64-encoded (4 bytes per 3):
# a direct answer above this many bytes goes to a job instead, however few its rows.
MAX_DIRECT_BYTES = 4 * 1024 * 1024
# A job records its rows written at most this often (one small update each).
PROGRESS_SECONDS = 1.0


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    body: bytes
    rows: int


class ExportView(BaseModel):
    """`GET /v1/exports/{exportId}` and the 202 that starts a job."""

    model_config = ConfigDict(defer_build=True, alias_generator=to_camel, populate_by_name=True)

    export_id: str
    list: ExportKind
    format: ExportFormat
    status: ExportStatus
    rows_written: int
    filename: str
    created_at: datetime
    updated_at: datetime
    download_url: str | None = None
    download_expires_at: datetime | None = None
    error: str | None = None


def export(merchant_id: str, request: ExportRequest) -> ExportFile | ExportJob:
    """The file, when it is small enough to be the answer; otherwise the job now writing it."""
    limit = export_settings().export_direct_rows
    rows: list[dict[str, object]] = []
    for page in request.pages(merchant_id):
        rows += page
        if len(rows) > limit:
            return start_job(merchant_id, request)
    columns = request.columns()
    buffer = io.BytesIO()
    sheet = writer(request.format, buffer, columns, request.kind.value)
    for row in rows:
        sheet.row([row.get(name) for name in columns])
    sheet.close()
    if buffer.tell() > MAX_DIRECT_BYTES:
        return start_job(merchant_id, request)
    filename = _filename(request.kind, request.format, now())
    return ExportFile(filename, MEDIA_TYPES[request.format], buffer.getvalue(), len(rows))


def start_job(merchant_id: str, request: ExportRequest) -> ExportJob:
    created = now()
    export_id = uuid.uuid4().hex
    filename = _filename(request.kind, request.format, created)
    job = ExportJob(
        merchant_id=merchant_id,
        export_id=export_id,
        kind=request.kind,
        format=request.format,
        params=request.params,
        filename=filename,
        object_key=f"exports/{export_id}/{filename}",
        created_at=created,
        updated_at=created,
        expires_at=expiry(created),
    )
    ExportStore().create(job)
    aws.sqs().send_message(
        QueueUrl=export_settings().exports_queue_url,
        MessageBody=json.dumps({"merchantId": merchant_id, "exportId": export_id}),
    )
    return job


def run_job(
    merchant_id: str, export_id: str, store: ExportStore | None = None
) -> ExportStatus | None:
    """Write the job's file into S3, page by page, and say how it ended; None when there is
    nothing to run (a copy of the message for a finished job, or no such job of this merchant).
    A failure is raised (SQS delivers the job again) until the last attempt, which records the
    job as failed."""
    store = store or ExportStore()
    job = store.claim(merchant_id, export_id)
    if job is None:
        return None
    if job.attempts > MAX_ATTEMPTS:
        store.fail(job, f"the export failed {MAX_ATTEMPTS} times; start it again")
        return ExportStatus.FAILED
    request = parse_export(job.kind, job.params, job.format.value)
    columns = request.columns()
    sink = MultipartSink(job.object_key, MEDIA_TYPES[job.format])
    rows = 0
    try:
        sheet = writer(job.format, sink, columns, job.kind.value)
        reported = time.monotonic()
        for page in request.pages(merchant_id):
            for row in page:
                sheet.row([row.get(name) for name in columns])
            rows += len(page)
            if time.monotonic() - reported >= PROGRESS_SECONDS:
                store.progress(job, rows, sink.written)
                reported = time.monotonic()
        sheet.close()
        sink.complete()
    except Exception:
        sink.abort()
        if job.attempts >= MAX_ATTEMPTS:
            store.fail(job, f"the export failed {MAX_ATTEMPTS} times; start it again")
            return ExportStatus.FAILED
        raise
    store.finish(job, rows, sink.written)
    return ExportStatus.DONE


def status(merchant_id: str, export_id: str) -> ExportView | None:
    """The merchant's job with this id (None for any other merchant's), with a fresh download
    link once it is done."""
    job = ExportStore().get(merchant_id, export_id) if _well_formed(export_id) else None
    return None if job is None else view(job)


def view(job: ExportJob) -> ExportView:
    shown = ExportView(
        export_id=job.export_id,
        list=job.kind,
        format=job.format,
        status=job.status,
        rows_written=job.rows,
        filename=job.filename,
        created_at=job.created_at,
        updated_at=job.updated_at,
        error=job.error,
    )
    if job.status is ExportStatus.DONE:
        url, until = download_link(job.object_key, job.filename, MEDIA_TYPES[job.format], now())
        shown.download_url, shown.download_expires_at = url, until
    return shown


def _filename(kind: ExportKind, format_: ExportFormat, moment: datetime) -> str:
    return f"{kind.value}-{moment:%Y%m%dT%H%M%SZ}.{format_.value}"


def _well_formed(export_id: str) -> bool:
    """Export ids are uuid4 hex; anything else is not looked up at all."""
    return len(export_id) == 32 and all(c in "0123456789abcdef" for c in export_id)
