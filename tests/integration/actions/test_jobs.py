"""A bulk action by filter: the route records and queues the job, BulkActionsFunction runs it
page by page with progress, queues the rest when its time runs short, and stops when the
user's grant is revoked."""

import pytest

from local.lambdas import LambdaContext
from ordersync.actions import jobs
from ordersync.alerts.repository import AlertStore
from ordersync.merchants.models import Permissions
from ordersync.merchants.repository import UserStore
from ordersync.operations.records import OperationStore
from tests.factories import load_event
from tests.integration.actions.test_routes import call


def _tasks(stack) -> list[jobs.JobTask]:
    answer = stack.sqs.receive_message(
        QueueUrl=stack.resources["BulkActionsQueue"], MaxNumberOfMessages=10
    )
    messages = answer.get("Messages", [])
    for message in messages:
        stack.sqs.delete_message(
            QueueUrl=stack.resources["BulkActionsQueue"], ReceiptHandle=message["ReceiptHandle"]
        )
    return [jobs.JobTask.model_validate_json(m["Body"]) for m in messages]


def _run_function(task: jobs.JobTask) -> dict:
    """BulkActionsFunction's handler on one SQS record carrying `task`."""
    from functions.bulk_actions.app import lambda_handler

    event = load_event("bulk_actions/sqs_job.json")
    event["Records"][0]["body"] = task.model_dump_json(by_alias=True)
    return lambda_handler(event, LambdaContext("BulkActionsFunction", 300))


def test_a_filter_job_acts_on_every_match_and_reports_progress(stack, users, outcome_of):
    matching = [outcome_of()[0] for _ in range(3)]
    synced, _ = outcome_of("Order Created")
    other_code, _ = outcome_of("Unauthorized")
    elsewhere, _ = outcome_of(merchant_id="m2")
    body = {"action": "ignore", "filter": {"code": "Order Creation Failed"}}
    code, job = call("bulk_by_filter", users["granted"], body=body)
    assert code == 202
    assert (job["status"], job["matched"], job["createdBy"]) == ("running", 0, "granted@m1.test")
    code, seen = call("bulk_job", users["granted"], job=job["jobId"])
    assert (code, seen["status"]) == (200, "running")
    [task] = _tasks(stack)
    assert _run_function(task) == {"batchItemFailures": []}
    code, seen = call("bulk_job", users["granted"], job=job["jobId"])
    assert (seen["status"], seen["matched"], seen["done"], seen["refused"]) == ("finished", 3, 3, 0)
    assert seen["finishedAt"]
    for message in matching:
        assert AlertStore().get("m1", message.entity_key).ignored
    for message in (synced, other_code):
        assert not AlertStore().get("m1", message.entity_key).ignored
    assert not AlertStore().get("m2", elsewhere.entity_key).ignored
    # another merchant cannot read the job
    assert call("bulk_job", users["other"], job=job["jobId"])[0] == 404


def test_a_long_job_queues_its_rest_and_goes_on_where_it_stopped(
    stack, users, outcome_of, monkeypatch
):
    made = [outcome_of()[0] for _ in range(5)]
    monkeypatch.setattr(jobs, "PAGE", 2)
    job = jobs.start(users["granted"], jobs.Action.RETRY, {"status": "failed"})
    [task] = _tasks(stack)
    parts = 0
    while task is not None:
        parts += 1
        after = jobs.run_part(task, lambda: 0)  # no time left after each page
        queued = _tasks(stack)
        task = queued[0] if queued else None
        assert len(queued) <= 1
    assert parts == 3  # pages of 2, 2 and 1
    assert (after.status, after.matched, after.done) == ("finished", 5, 5)
    for message in made:
        assert OperationStore().get(message.operation_id).status.value == "pending"
    assert job.job_id == after.job_id


def test_a_grant_revoked_while_the_job_runs_stops_it(stack, users, outcome_of):
    message, _ = outcome_of()
    job = jobs.start(users["granted"], jobs.Action.MARK_SYNCED, {})
    store = UserStore()
    user = store.get("m1", users["granted"].user_id)
    store.replace(user.model_copy(update={"permissions": Permissions(order_sync=False)}))
    [task] = _tasks(stack)
    stopped = jobs.run_part(task, lambda: 300)
    assert stopped.status == "stopped"
    assert stopped.reason.startswith("permission: order-sync actions are off")
    assert OperationStore().get(message.operation_id).status.value == "failed"
    assert stopped.job_id == job.job_id


def test_a_repeated_message_of_a_finished_job_does_nothing(stack, users, outcome_of):
    outcome_of()
    jobs.start(users["granted"], jobs.Action.IGNORE, {})
    [task] = _tasks(stack)
    first = jobs.run_part(task, lambda: 300)
    again = jobs.run_part(task, lambda: 300)
    assert (first.done, again.done, again.refused) == (1, 1, 0)


@pytest.mark.parametrize("window", [{"createdBefore": "2999-01-01T00:00:00Z"}, {"ignored": False}])
def test_filters_that_read_other_indexes_match_too(stack, users, outcome_of, window):
    outcome_of()
    jobs.start(users["granted"], jobs.Action.IGNORE, window)
    [task] = _tasks(stack)
    finished = jobs.run_part(task, lambda: 300)
    assert (finished.done, finished.filter) == (1, window)  # the filter is kept as sent
