"""EventBridge schedules, run the way the scheduler runs them: the function, every so often,
with a scheduled event. The interval shrinks with the stack's time scale, as retries do."""

import threading
from datetime import UTC, datetime

from local.lambdas import InvocationError, LocalFunctions
from local.template import Schedule

SHORTEST_INTERVAL_SECONDS = 1.0


class ScheduleRunner:
    def __init__(self, schedule: Schedule, functions: LocalFunctions, time_scale: float) -> None:
        self.schedule = schedule
        self.functions = functions
        self.interval = max(SHORTEST_INTERVAL_SECONDS, schedule.every_seconds * min(time_scale, 1))
        self.stopping = threading.Event()
        self.runs = 0
        self.failures = 0
        self.thread = threading.Thread(
            target=self._run, name=f"schedule-{schedule.function}", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.runs += 1
            try:
                self.functions.invoke(self.schedule.function, self._event())
            except InvocationError:
                self.failures += 1  # the next tick runs it again, as MaximumRetryAttempts 0 does

    def _event(self) -> dict[str, object]:
        return {
            "version": "0",
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "detail": {},
        }
