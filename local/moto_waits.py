"""Step Functions' retry waits at the local stack's time scale.

ASL's IntervalSeconds is a whole number of seconds, at least one, so a definition cannot say
"a fiftieth of two seconds": scaled in the definition, every wait below a second became a
whole one (with full jitter, half a second on average), and a run that retries holds its place
under the integration's limit all that time. moto's retrier sleeps the definition's own waits;
here it sleeps them times the scale, so the definitions stay the template's."""

import time
from typing import Any


class _ScaledSleep:
    """The `time` module as moto's retrier uses it: only `sleep`, scaled."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds * self.scale)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def scale_retry_waits(time_scale: float) -> None:
    """From now on, every Step Functions retry in this process waits `time_scale` times its
    definition's wait (at most its own: a scale above 1 does not lengthen it)."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    retrier_decl.time = _ScaledSleep(min(1.0, time_scale))  # type: ignore[assignment]
