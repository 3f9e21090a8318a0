"""A private Redis for the batch: Debian's ``redis-server`` on loopback, on a free port, its data in a directory of
its own (a temporary one by default), stopped with the program.

    python3 redis_server.py            # prints redis://127.0.0.1:PORT/0 and serves until Ctrl-C

The server keeps its append-only file (``appendfsync always``) in that directory, so what a worker saved is on disk
before the call returns. It listens on 127.0.0.1 only, with protected mode on; for workers on several machines run
your own Redis (see the README's "Batches and many machines").
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port() -> int:
    """A TCP port nothing listens on right now on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """``redis-server`` as a child process; a context manager. ``url`` is its address once started."""

    def __init__(self, directory: str | None = None, executable: str | None = None) -> None:
        self.executable = executable or shutil.which("redis-server") or "/usr/bin/redis-server"
        self._own_directory = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="videogen-redis-")
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20.0) -> "RedisServer":
        if not os.path.exists(self.executable):
            raise RuntimeError("redis-server not found: install Debian's redis-server (apt-get install redis-server)")
        os.makedirs(self.directory, exist_ok=True)
        for _ in range(5):      # a port taken between the probe and the bind: try another
            self.port = free_port()
            log = open(os.path.join(self.directory, "redis.log"), "ab")
            self.process = subprocess.Popen(
                [self.executable, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.directory,
                 "--protected-mode", "yes", "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                 "--daemonize", "no", "--logfile", ""],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                        connection.sendall(b"PING\r\n")
                        if connection.recv(16).startswith(b"+PONG"):
                            return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError(f"redis-server did not start; see {self.directory}/redis.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


if __name__ == "__main__":
    with RedisServer() as server:
        print(server.url, flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
