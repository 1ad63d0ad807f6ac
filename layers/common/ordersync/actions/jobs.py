"""One action on every alert a filter matches, run as a job with progress.

A match can be any number of alerts, more than one request (30 s at API Gateway) or one Lambda
run (15 min) can act on, so the route only checks the request, records the job and queues it
(202 with the job's id). The BulkActionsFunction takes it from the BulkActionsQueue: it walks
the filter's pages (the alert list's own planner and signed cursor), acts on each alert as the
single route does and adds to the job's counts after every page. When its time runs short it
queues the rest (the cursor) for its next run, so a job of any size goes on page by page.

The user's grant is checked again at every part: a grant revoked while the job runs stops it
(the job says why), as it would stop the next request. Jobs are kept under the merchant in the
config table (`MERCHANT#<merchant>`, `BULK#<jobId>`): another merchant's job id is not found."""

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ordersync.actions.actors import authorize
from ordersync.actions.bulk import act_on_all, tally
from ordersync.actions.models import Action, ActionRefused, BulkJob, JobStatus, UnknownJob
from ordersync.actions.settings import action_settings
from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery
from ordersync.core import aws
from ordersync.core.clock import iso, now
from ordersync.core.dynamo import Update, from_item, key, to_item
from ordersync.core.models import Record
from ordersync.core.settings import get_settings
from ordersync.history.query import InvalidQuery
from ordersync.merchants.models import Caller
from ordersync.merchants.service import Forbidden

PAGE = 100
# A part stops taking pages when less than this is left of its run, and queues the rest.
RESERVE_SECONDS = 60
# What a filter cannot hold: the job walks every page itself and shows no rows.
NOT_FILTERS = ("cursor", "limit", "columns")


class JobTask(Record):
    """The queue message: which job, and where its next part starts."""

    merchant_id: str
    job_id: str
    cursor: str | None = None


def parse_filter(raw: Mapping[str, Any]) -> AlertQuery:
    """The filter as the alert list reads its query; InvalidQuery lists every problem, each
    under `filter.<name>`."""
    problems = [
        {"loc": ("body", "filter", name), "msg": "not a filter", "type": "extra_forbidden"}
        for name in NOT_FILTERS
        if name in raw
    ]
    try:
        query = AlertQuery.parse({k: v for k, v in raw.items() if k not in NOT_FILTERS})
    except InvalidQuery as invalid:
        problems += [{**p, "loc": ("body", "filter", *p["loc"][1:])} for p in invalid.problems]
        query = None
    if problems or query is None:
        raise InvalidQuery(problems)
    return query


def _key(merchant_id: str, job_id: str) -> dict[str, Any]:
    return key(f"MERCHANT#{merchant_id}", f"BULK#{job_id}")


class JobStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or get_settings().config_table

    def create(self, job: BulkJob) -> None:
        values = job.model_dump(mode="json", by_alias=True, exclude_none=True)
        moments = {"createdAt": iso(job.created_at), "updatedAt": iso(job.updated_at)}
        item = {
            **_key(job.merchant_id, job.job_id),
            **to_item({**values, **moments, "filter": _text(job)}),
        }
        aws.dynamodb().put_item(TableName=self._table, Item=item)

    def get(self, merchant_id: str, job_id: str) -> BulkJob:
        found = (
            aws.dynamodb()
            .get_item(TableName=self._table, Key=_key(merchant_id, job_id), ConsistentRead=True)
            .get("Item")
        )
        if not found:
            raise UnknownJob(job_id)
        values = from_item(found)
        return BulkJob.model_validate({**values, "filter": json.loads(values["filter"])})

    def progress(
        self,
        job: BulkJob,
        counts: dict[str, int],
        *,
        status: JobStatus | None = None,
        reason: str | None = None,
    ) -> None:
        moment = now()
        update = Update().set("updatedAt", iso(moment))
        for name, amount in counts.items():
            update.add(name, amount)
        if status is not None:
            update.set_all({"status": status, "finishedAt": iso(moment)})
        if reason is not None:
            update.set("reason", reason)
        update.apply(self._table, _key(job.merchant_id, job.job_id))


def _text(job: BulkJob) -> str:
    # Kept as JSON text: the filter's values stay as sent (DynamoDB would turn numbers into
    # decimals and refuse empty strings).
    return json.dumps(job.filter, sort_keys=True)


def start(who: Caller, action: Action, raw_filter: Mapping[str, Any]) -> BulkJob:
    """Check who acts and the filter, record the job and queue its first part."""
    if action is Action.RESEND:
        raise ActionRefused("resend takes a corrected body per alert: send each on its own")
    actor = authorize(who)
    parse_filter(raw_filter)
    # In milliseconds, as every stored moment is (`iso`), so the 202 and a later read agree.
    moment = now()
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    job = BulkJob(
        job_id=str(uuid.uuid4()),
        merchant_id=actor.merchant_id,
        action=action,
        filter=dict(raw_filter),
        status="running",
        created_by=actor.name,
        user_id=actor.user_id,
        created_at=moment,
        updated_at=moment,
    )
    JobStore().create(job)
    _queue(JobTask(merchant_id=job.merchant_id, job_id=job.job_id))
    return job


def _queue(task: JobTask) -> None:
    aws.sqs().send_message(
        QueueUrl=action_settings().bulk_actions_queue_url,
        MessageBody=task.model_dump_json(by_alias=True),
    )


def run_part(task: JobTask, seconds_left: Callable[[], float]) -> BulkJob:
    """Act on the job's matches from `task.cursor` on, a page at a time, until they end (the
    job finishes) or time runs short (the rest is queued)."""
    store = JobStore()
    job = store.get(task.merchant_id, task.job_id)
    if job.status != "running":
        return job  # a repeated message of a finished or stopped job
    try:
        actor = authorize(
            Caller(user_id=job.user_id or "", merchant_id=job.merchant_id, email=job.created_by)
        )
    except Forbidden as refused:
        store.progress(job, {}, status="stopped", reason=f"permission: {refused}")
        return store.get(job.merchant_id, job.job_id)
    cursor = task.cursor
    while True:
        query = parse_filter(job.filter).model_copy(
            update={"limit": PAGE, "cursor": cursor, "columns": ("alertId",)}
        )
        page = list_alerts(job.merchant_id, query)
        results = act_on_all(actor, job.action, [row["alertId"] for row in page.items])
        counts = {"matched": len(results), **tally(results)}
        cursor = page.cursor
        if cursor is None:
            store.progress(job, _attributes(counts), status="finished")
            break
        store.progress(job, _attributes(counts))
        if seconds_left() < RESERVE_SECONDS:
            _queue(JobTask(merchant_id=job.merchant_id, job_id=job.job_id, cursor=cursor))
            break
    return store.get(job.merchant_id, job.job_id)


def _attributes(counts: dict[str, int]) -> dict[str, int]:
    return {("notFound" if name == "not_found" else name): n for name, n in counts.items()}
