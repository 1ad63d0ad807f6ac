"""EventBridge schedules, run the way the scheduler runs them: the function, every so often,
with a scheduled event. The interval shrinks with the stack's time scale, as retries do."""

from datetime import UTC, datetime

from local.lambdas import InvocationError, LocalFunctions
from local.template import Schedule
from local.ticking import Ticking

SHORTEST_INTERVAL_SECONDS = 1.0


class ScheduleRunner(Ticking):
    def __init__(self, schedule: Schedule, functions: LocalFunctions, time_scale: float) -> None:
        every = max(SHORTEST_INTERVAL_SECONDS, schedule.every_seconds * min(time_scale, 1))
        super().__init__(f"schedule-{schedule.function}", every)
        self.schedule = schedule
        self.functions = functions
        self.runs = 0

    def tick(self) -> None:
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
