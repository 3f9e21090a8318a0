"""Shared helpers for the emulator tests: an in-process emulator, a raw HTTP client, forms.

The binding (``bindings/python``) and the emulator (``emulator/``, its own package ``videogen_emulator``) are
imported from the checkout, neither installed: both folders go first on ``sys.path`` here, and a child process that
runs the emulator gets :data:`EMULATOR_PYTHONPATH`."""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass

import pytest

#: The repository's root, the binding's folder, and the emulator's folder (the one holding ``videogen_emulator``).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PYTHON_DIR = os.path.join(ROOT, "bindings", "python")
EMULATOR_DIR = os.path.join(ROOT, "emulator")
#: ``PYTHONPATH`` for a child process that runs the emulator (``python -m videogen_emulator``) or the binding.
EMULATOR_PYTHONPATH = os.pathsep.join([PYTHON_DIR, EMULATOR_DIR])
#: The emulator's assets (sample.mp4, thumbnail.jpg, spritesheet.jpg).
EMULATOR_ASSETS = os.path.join(EMULATOR_DIR, "videogen_emulator", "assets")
sys.path[:0] = [PYTHON_DIR, EMULATOR_DIR]

from videogen_emulator import Emulator  # noqa: E402

API_KEY = "sk-test-key-123"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@dataclass
class Reply:
    """A raw HTTP reply (no redirects followed, no exceptions on 4xx/5xx)."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        """The body parsed as JSON."""
        assert self.headers.get("Content-Type", "").startswith("application/json"), self.headers
        return json.loads(self.body)


def call(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 10) -> Reply:
    """Send one request on a fresh connection and read the whole reply."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        assert response.getheader("Content-Length") == str(len(data)) or method == "HEAD"
        return Reply(response.status, response.headers, data)
    finally:
        conn.close()


def get(url: str, headers: dict | None = None, **kw) -> Reply:
    """GET with the test API key unless ``headers`` is given."""
    return call("GET", url, headers=AUTH if headers is None else headers, **kw)


def post_json(url: str, payload, headers: dict | None = None) -> Reply:
    """POST a JSON body with the test API key unless ``headers`` is given."""
    h = dict(AUTH if headers is None else headers)
    h["Content-Type"] = "application/json"
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return call("POST", url, body, h)


def form(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None):
    """Encode a multipart/form-data body; returns ``(body, content_type)``."""
    boundary = "----vgtest" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, (filename, data, ctype) in (files or {}).items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def post_form(url: str, fields: dict[str, str], files=None, headers: dict | None = None) -> Reply:
    """POST a multipart form with the test API key unless ``headers`` is given."""
    body, ctype = form(fields, files)
    h = dict(AUTH if headers is None else headers)
    h["Content-Type"] = ctype
    return call("POST", url, body, h)


def wait_until(fetch, predicate, timeout: float = 5.0, step: float = 0.02):
    """Call ``fetch()`` until ``predicate(result)`` holds; return that result."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if predicate(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {timeout}s; last: {result!r}")
        time.sleep(step)


#: The emulator's server engines; the emulator's own tests (test_emulator*.py) run against each.
SERVERS = ("asyncio", "threads")


def pytest_generate_tests(metafunc):
    """Run every emulator test that uses the ``server`` fixture (``emu``, ``make_emu``) once per engine."""
    if "server" in metafunc.fixturenames and metafunc.module.__name__.startswith("test_emulator"):
        metafunc.parametrize("server", SERVERS, indirect=True)


@pytest.fixture
def server(request):
    """The engine of the ``emu``/``make_emu`` emulators: each engine in turn in test_emulator*.py, else the
    default."""
    return getattr(request, "param", None)


def _engine(kwargs: dict, server) -> dict:
    if server is not None:
        kwargs.setdefault("server", server)
    return kwargs


@pytest.fixture
def emu(server):
    """A started emulator with a short lifecycle (T = 0.5 s)."""
    with Emulator(**_engine(dict(api_key=API_KEY, task_seconds=0.5), server)) as instance:
        yield instance


@pytest.fixture
def make_emu(server):
    """Factory for emulators with custom settings; all are stopped after the test."""
    started = []

    def factory(**kwargs):
        kwargs.setdefault("api_key", API_KEY)
        instance = Emulator(**_engine(kwargs, server)).start()
        started.append(instance)
        return instance

    yield factory
    for instance in started:
        instance.stop()


# -- the binding's tests (test_binding*.py, test_cli*.py) -------------------------------------------------------

import http.server  # noqa: E402
import socketserver  # noqa: E402
import threading  # noqa: E402

import videogen  # noqa: E402  (never loads the native library by itself)

#: A fast poll schedule, so a 0.5 s emulated task is seen finishing within ~0.3 s.
FAST_POLL = {"interval": 0.1, "max_interval": 0.3}
SAMPLE_MP4 = os.path.join(EMULATOR_ASSETS, "sample.mp4")


def make_client(emu, dialect: str = "openai", **options) -> "videogen.Client":
    """A binding client for ``emu`` with the test key and the fast poll schedule."""
    options.setdefault("poll", FAST_POLL)
    options.setdefault("api_key", API_KEY)
    return videogen.Client(dialect=dialect, base_url=emu.base_url, **options)


@pytest.fixture
def client(emu):
    """A binding client (openai dialect) of the ``emu`` emulator; closed after the test."""
    with make_client(emu) as instance:
        yield instance


@pytest.fixture
def unified_client(emu):
    """A binding client (unified dialect) of the ``emu`` emulator; closed after the test."""
    with make_client(emu, "unified") as instance:
        yield instance


class FaultServer:
    """A loopback HTTP server that answers every request with one scripted reply: the error paths the emulator
    does not play (429 with a long Retry-After, 402, 403, 5xx, a stalled answer)."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = b"{}"
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self.requests: list[tuple[str, str]] = []
        self.bodies: list[bytes] = []
        self.release = threading.Event()
        fault = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fault.bodies.append(self.rfile.read(length) if length else b"")
                fault.requests.append((self.command, self.path))
                if fault.delay and fault.release.wait(fault.delay):
                    return
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fault.body)))
                for name, value in fault.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(fault.body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def reply(self, status: int, body: dict | None = None, headers: dict[str, str] | None = None,
              delay: float = 0.0) -> None:
        """Answer every following request with ``status`` and ``body`` (JSON), after ``delay`` seconds."""
        self.status = status
        self.body = json.dumps(body or {}).encode()
        self.headers = dict(headers or {})
        self.delay = delay

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault_server():
    """A :class:`FaultServer` on a free loopback port; stopped after the test."""
    server = FaultServer()
    yield server
    server.stop()


def pytest_configure(config):
    """The ``hostile`` marker: the hostile-server suite (tests/test_hostile_*.py), runnable alone with
    ``python3 -m pytest -q tests/test_hostile_*.py`` or ``-m hostile``."""
    config.addinivalue_line("markers", "hostile: hostile-server tests of the transport (issue 12)")
