"""Export jobs: one item per job in the exports table (pk the merchant, sk the export id), so a
job is only ever read under the merchant from the token and another merchant's id is simply not
found. Items expire (TTL `expiresAt`) when the bucket's lifecycle deletes the file."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ordersync.core import aws
from ordersync.core.clock import iso, now
from ordersync.core.dynamo import Update, from_item, key, to_item
from ordersync.core.models import Record
from ordersync.exports.settings import export_settings

# Runs a job may take (each a delivery of its message) before it is recorded as failed; the
# exports queue's maxReceiveCount is one more, so the message is never lost first.
MAX_ATTEMPTS = 3


class ExportKind(StrEnum):
    ALERTS = "alerts"
    HISTORY = "history"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Record):
    merchant_id: str
    export_id: str
    kind: ExportKind
    format: ExportFormat
    # The list's filters as the merchant sent them (format, limit and cursor apart).
    params: dict[str, str]
    status: ExportStatus = ExportStatus.QUEUED
    rows: int = 0
    size_bytes: int = 0
    attempts: int = 0
    filename: str
    object_key: str
    error: str | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: int  # epoch seconds, the table's TTL attribute


def _key(merchant_id: str, export_id: str) -> dict[str, Any]:
    return key(merchant_id, export_id)


class ExportStore:
    """The one writer of export jobs; every status change is a conditional update, so a copy of
    a job's message cannot move a finished job back."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or export_settings().exports_table

    def create(self, job: ExportJob) -> None:
        values = job.model_dump(by_alias=True, mode="json")
        aws.dynamodb().put_item(
            TableName=self._table,
            Item={**_key(job.merchant_id, job.export_id), **to_item(values)},
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, merchant_id: str, export_id: str) -> ExportJob | None:
        item = aws.dynamodb().get_item(
            TableName=self._table, Key=_key(merchant_id, export_id), ConsistentRead=True
        )
        return ExportJob.model_validate(from_item(item["Item"])) if "Item" in item else None

    def claim(self, merchant_id: str, export_id: str) -> ExportJob | None:
        """Start a run: queued or running (a run that died) becomes running, one attempt more.
        None when the job is gone or already finished."""
        update = (
            Update()
            .set_all({"status": ExportStatus.RUNNING.value, "rows": 0, "updatedAt": iso(now())})
            .add("attempts", 1)
            .when(
                "attribute_exists(#pk) AND #status IN (:queued, :running)",
                queued=ExportStatus.QUEUED.value,
                running=ExportStatus.RUNNING.value,
            )
        )
        applied = update.apply(self._table, _key(merchant_id, export_id), ReturnValues="ALL_NEW")
        if not applied.done:
            return None
        return ExportJob.model_validate(from_item(applied.attributes))

    def progress(self, job: ExportJob, rows: int, written: int) -> bool:
        return self._running(job, {"rows": rows, "sizeBytes": written})

    def finish(self, job: ExportJob, rows: int, written: int) -> bool:
        return self._running(
            job, {"rows": rows, "sizeBytes": written, "status": ExportStatus.DONE.value}
        )

    def fail(self, job: ExportJob, error: str) -> bool:
        return self._running(job, {"status": ExportStatus.FAILED.value, "error": error})

    def _running(self, job: ExportJob, values: dict[str, Any]) -> bool:
        """Only the run that holds the job (running, this attempt) writes it; False when a
        later run has taken it over."""
        update = (
            Update()
            .set_all({**values, "updatedAt": iso(now())})
            .when(
                "#status = :running AND #attempts = :attempt",
                running=ExportStatus.RUNNING.value,
                attempt=job.attempts,
            )
        )
        return update.apply(self._table, _key(job.merchant_id, job.export_id)).done


def expiry(moment: datetime) -> int:
    return int((moment + timedelta(hours=export_settings().export_keep_hours)).timestamp())
