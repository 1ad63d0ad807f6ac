"""A fork server for the isolated execution environments: one process imports the libraries
every function uses (boto3, pydantic, powertools, httpx, Jinja2) once, then forks a child per
environment, so an environment starts in milliseconds rather than the second or two of CPU a
fresh interpreter spends importing them.

Nothing that reads the environment at import is imported before the fork: the child sets its
function's variables first, then imports `ordersync` and the handler (a Logger reads its service
name, settings their variables, when they are created). The server runs no thread, so forking
it is safe.

The stack (`ForkServer.spawn`) connects to the server's Unix socket and sends the environment's
variables; the server forks, and the child answers on that same connection with its pid, then
speaks the workers' protocol (`local.workers.serve`) over it.
"""

import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from local.template import ROOT

# Imported once by the server: what most functions import, none of it reading the environment
# at import.
PRELOADED = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "pydantic",
    "pydantic_settings",
    "httpx",
    "jinja2",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.typing",
    "local.workers",
)
START_SECONDS = 60


class ForkServer:
    def __init__(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="ordersync-forkserver-")
        self.address = str(Path(self._folder) / "socket")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.forkserver", self.address], cwd=ROOT
        )
        deadline = time.monotonic() + START_SECONDS
        while not os.path.exists(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the fork server did not start")
            time.sleep(0.02)

    def spawn(self, variables: dict[str, str]) -> tuple[int, Connection]:
        """A new environment with exactly `variables`: its pid, and the connection to it."""
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(self.address)
        connection = Connection(client.detach())
        connection.send_bytes(json.dumps(variables).encode())
        pid = int(json.loads(connection.recv_bytes())["pid"])
        return pid, connection

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)


def serve(address: str) -> None:
    for name in PRELOADED:
        importlib.import_module(name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the stack stops the server itself
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".binding")
    listener.listen(64)
    os.rename(address + ".binding", address)  # the socket appears only once it listens
    while True:
        accepted, _ = listener.accept()
        connection = Connection(accepted.detach())
        variables: dict[str, Any] = json.loads(connection.recv_bytes())
        if os.fork() == 0:
            listener.close()
            _become_environment(connection, variables)
        connection.close()


def _become_environment(connection: Connection, variables: dict[str, str]) -> None:
    """The child: the function's variables and nothing else, then the worker's loop."""
    from local import workers

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(variables)
    code = 0
    try:
        connection.send_bytes(json.dumps({"pid": os.getpid()}).encode())
        workers.serve(connection, connection)
    except BaseException:
        traceback.print_exc()
        code = 1
    # Never back into the server's loop, and none of its exit handlers.
    os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
