"""A free TCP port on 127.0.0.1, in a module light enough for the test process to import (the
stack's own modules pull in moto's server)."""

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
