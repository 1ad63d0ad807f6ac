"""A background thread that does one step every few seconds until stopped: the schedules' and
the stream pollers' common shape."""

import threading


class Ticking:
    def __init__(self, name: str, every: float) -> None:
        self.every = every
        self.stopping = threading.Event()
        self.failures = 0
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stopping.wait(self.every):
            self.tick()

    def tick(self) -> None:
        raise NotImplementedError
