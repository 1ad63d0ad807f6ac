from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from local import moto_waits


def test_a_retry_waits_its_definitions_wait_times_the_scale(monkeypatch):
    asked: list[float] = []
    monkeypatch.setattr(moto_waits.time, "sleep", asked.append)
    monkeypatch.setattr(retrier_decl, "time", retrier_decl.time)  # put back afterwards

    moto_waits.scale_retry_waits(0.02)
    retrier_decl.time.sleep(1.5)  # what moto's retrier calls with the jittered interval
    moto_waits.scale_retry_waits(3)
    retrier_decl.time.sleep(1.5)

    assert asked == [0.03, 1.5]
    assert retrier_decl.time.monotonic() > 0  # the rest of `time` is untouched
