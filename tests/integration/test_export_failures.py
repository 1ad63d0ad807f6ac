"""Export jobs that fail, on moto: a run that raises drops its upload and is retried by SQS,
the third failure records the job as failed (no link), and a delivery after three runs that
died without a word records it failed at once."""

import pytest

from ordersync.exports import service, storage
from ordersync.exports.jobs import ExportKind, ExportStatus, ExportStore
from ordersync.exports.requests import parse_export


@pytest.fixture
def job(stack) -> str:
    """A queued export of m1's alerts, as the merchant API starts one."""
    return service.start_job("m1", parse_export(ExportKind.ALERTS, {"format": "csv"})).export_id


def test_a_job_that_keeps_failing_is_recorded_as_failed_and_its_upload_dropped(job, monkeypatch):
    def broken(self, merchant_id):
        raise RuntimeError("the table went away")

    monkeypatch.setattr("ordersync.exports.requests.ExportRequest.pages", broken)
    aborted = []
    real_abort = storage.MultipartSink.abort
    monkeypatch.setattr(
        storage.MultipartSink, "abort", lambda self: aborted.append(self.key) or real_abort(self)
    )
    for _ in range(2):  # raised: the message is delivered again
        with pytest.raises(RuntimeError):
            service.run_job("m1", job)
    assert service.run_job("m1", job) is ExportStatus.FAILED
    assert len(aborted) == 3
    shown = service.status("m1", job)
    assert shown is not None
    assert shown.status is ExportStatus.FAILED
    assert "start it again" in (shown.error or "")
    assert shown.download_url is None
    assert service.run_job("m1", job) is None  # a copy of the message: nothing more to run


def test_a_job_whose_runs_all_died_is_failed_by_its_next_delivery(job):
    store = ExportStore()
    for _ in range(3):  # three runs claimed it and died (out of time or memory) before the end
        assert store.claim("m1", job) is not None
    assert service.run_job("m1", job) is ExportStatus.FAILED
    found = store.get("m1", job)
    assert found is not None
    assert found.status is ExportStatus.FAILED
    assert found.attempts == 4
