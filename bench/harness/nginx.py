"""nginx on loopback serving one large file at the openai content route, for the download scenario."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CONFIG = """\
worker_processes 1;
daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 30;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/v1/videos/[^/]+/content$ {{
            default_type video/mp4;
            alias {file};
        }}
        location /files/ {{
            alias {root}/;
        }}
    }}
}}
"""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_file(path: Path, size: int, block: int = 1 << 20) -> None:
    """Write `size` bytes: one random block repeated (incompressible enough, cheap to make), unless it exists."""
    if path.exists() and path.stat().st_size == size:
        return
    pattern = os.urandom(block)
    with open(path, "wb") as out:
        left = size
        while left:
            piece = pattern[: min(block, left)]
            out.write(piece)
            left -= len(piece)


class Nginx:
    """An nginx process of our own (no daemon, one worker) serving `file` at /v1/videos/<any id>/content."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.prefix = Path(tempfile.mkdtemp(prefix="videogen-bench-nginx-"))
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Nginx":
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        config = self.prefix / "nginx.conf"
        config.write_text(CONFIG.format(prefix=self.prefix, port=self.port, file=self.file, root=self.file.parent))
        self.proc = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"nginx exited: {self.proc.stderr.read().decode(errors='replace')}")
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.prefix, ignore_errors=True)
