"""The scheduled sweep over operations whose deadline passed, found through the sparse `by-watch`
index (never a Scan): operations not run yet are flagged `queued`, platforms that never
confirmed an accepted operation raise an alert, and a retrying operation whose message is gone
is sent to the queue again once the queue holds no message at all, visible, in flight or delayed:
only then is its message surely gone (a copy beside a message still in flight would run the
operation twice, and a second skip would put two messages in the DLQ).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from ordersync.alerts import policy as alerts
from ordersync.catalog.codes import outcome as catalog_outcome
from ordersync.core import aws, metrics
from ordersync.core.clock import now
from ordersync.core.models import Outcome
from ordersync.core.settings import get_settings
from ordersync.operations import watch
from ordersync.operations.models import Deadline, Operation, OperationStatus, Watch

logger = Logger(child=True)


@dataclass
class SweepReport:
    queued: int = 0
    verification_overdue: int = 0
    requeued: int = 0
    requeue_deferred: int = 0
    failed: int = 0  # operations an AWS error kept from their step; the next sweep finds them


def sweep(at: datetime | None = None) -> SweepReport:
    at = at or now()
    limit = get_settings().sweep_batch
    report = SweepReport()
    not_run = watch.overdue(Watch.QUEUED, at, limit)

    def unverified(operation_id: str, seen: Deadline) -> None:
        report.verification_overdue += _flag_unverified(operation_id, seen, at)

    _each(watch.overdue(Watch.VERIFICATION, at, limit), unverified, report)
    overdue_runs = watch.overdue(Watch.RETRY, at, limit)
    # A late operation is most likely a message still in the queue (waiting its turn in a
    # backlog, or received and in flight on a busy consumer): a copy would be a second run. A
    # message lost for good (a send that failed at intake, a run whose message vanished) shows
    # once the queue is empty, and is sent again then.
    messages_gone = bool(not_run or overdue_runs) and _messages_in_queue() == 0

    def queued(operation_id: str, seen: Deadline) -> None:
        flagged, sent = _flag_queued(operation_id, seen, at, send=messages_gone)
        report.queued += flagged
        report.requeued += sent

    def rerun(operation_id: str, seen: Deadline) -> None:
        report.requeued += _send_again(operation_id, seen, at)

    _each(not_run, queued, report)
    if messages_gone:
        _each(overdue_runs, rerun, report)
    else:
        report.requeue_deferred += len(overdue_runs)
    for name, value in vars(report).items():
        if value:
            metrics.count(f"Sweep{name.title().replace('_', '')}", value)
    logger.info("sweep done", extra=vars(report))
    return report


def _each(
    overdue: Iterable[tuple[str, Deadline]],
    step: Callable[[str, Deadline], None],
    report: SweepReport,
) -> None:
    """`step` for each overdue operation, each apart: an AWS error on one (a throttled write, a
    failed send) is logged and counted, and the sweep goes on to the next rather than leaving
    every later one to the next run. Nothing is lost: the failed one is still overdue."""
    for operation_id, seen in overdue:
        try:
            step(operation_id, seen)
        except ClientError:
            report.failed += 1
            logger.exception(
                "sweep step failed; the next sweep tries again",
                extra={"operation_id": operation_id},
            )


def _messages_in_queue() -> int:
    attributes = aws.sqs().get_queue_attributes(
        QueueUrl=get_settings().operations_queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(count) for name, count in attributes.items() if name.startswith("Approximate"))


def _minutes_since(moment: datetime, at: datetime) -> int:
    return int((at - moment).total_seconds() // 60)


def _flag_queued(operation_id: str, seen: Deadline, at: datetime, *, send: bool) -> tuple[int, int]:
    """Flag an operation not run in time as queued (its alert once), keep watching it, and send
    it again if its message is gone. (flagged now, sent again) as 0 or 1 each.

    The claim only moves the deadline; the status reads `queued` once its alert is written. An
    alert write that fails leaves the operation pending, so the next sweep raises it again
    (flagged in the claim, a failed alert would never be raised)."""
    where = (
        "accepted, but its message was lost: sent to the operations queue again"
        if send
        else "accepted but not run yet: waiting in the operations queue"
    )
    next_check = Deadline(watch=Watch.QUEUED, until=at + _grace())
    claimed = watch.claim_overdue(operation_id, seen, status=None, where=where, deadline=next_check)
    if claimed is None:
        return 0, 0  # a run (or another sweep) got there first
    operation = claimed.operation
    flagged = operation.status is OperationStatus.PENDING
    if send:
        _send(claimed, "accepted operation had no message in the queue; sent again", seen)
    if flagged:
        minutes = _minutes_since(operation.accepted_at, at)
        made = catalog_outcome("Queued", **_facts(operation), minutes=minutes)
        _raise_alert(operation, made, where, at, behind_another_operation=True)
        watch.mark_queued(operation_id, where=where)
    return int(flagged), int(send)


def _grace() -> timedelta:
    return timedelta(seconds=get_settings().stuck_grace_seconds)


def _send(claimed: watch.Claimed, why: str, seen: Deadline) -> None:
    aws.sqs().send_message(
        QueueUrl=get_settings().operations_queue_url,
        MessageBody=claimed.message().model_dump_json(by_alias=True),
    )
    logger.warning(
        why, extra={"operation_id": claimed.operation.operation_id, "due": seen.until.isoformat()}
    )


def _flag_unverified(operation_id: str, seen: Deadline, at: datetime) -> int:
    where = "the platform has not confirmed it: check it there, then mark it synced or resend it"
    claimed = watch.claim_overdue(operation_id, seen, status=None, where=where, deadline=None)
    if claimed is None or claimed.operation.status is not OperationStatus.PENDING_VERIFICATION:
        return 0
    minutes = _minutes_since(seen.until, at) + int(get_settings().verification_timeout_minutes)
    made = catalog_outcome("Verification Overdue", **_facts(claimed.operation), minutes=minutes)
    _raise_alert(claimed.operation, made, where, at)
    return 1


def _send_again(operation_id: str, seen: Deadline, at: datetime) -> int:
    claimed = watch.claim_overdue(
        operation_id,
        seen,
        status=None,
        where="its next run did not come when due: sent to the operations queue again",
        deadline=Deadline(watch=Watch.RETRY, until=at + _grace()),
    )
    if claimed is None:
        return 0
    _send(claimed, "retrying operation had no run when due; sent again", seen)
    return 1


def _facts(operation: Operation) -> dict[str, str]:
    return {"operation": operation.operation.value, "order_id": operation.order_id}


def _raise_alert(
    operation: Operation,
    made: Outcome,
    next_step: str,
    swept_at: datetime,
    *,
    behind_another_operation: bool = False,
) -> None:
    # A run that finished after the sweep began wrote a newer alert: the sweep's must not win.
    written = alerts.record(
        operation,
        made,
        next_step=next_step,
        attempts=operation.attempts,
        unless_newer_than=swept_at,
        behind_another_operation=behind_another_operation,
    )
    if written:
        metrics.count("OperationOutcomes", operation=operation.operation.value, code=made.code)
