"""A webhook receiver on the standard library's HTTP server: every POST is verified and applied to the client's
tasks (:meth:`Client.apply_webhook`), answered 204 when accepted, 401 when refused for its signature or time, 400
otherwise (413 for an oversized body), and recorded. ``videogen webhook serve`` and the tests run on it; put it
behind your TLS-terminating proxy (providers call https URLs)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .webhooks import WebhookVerdict

#: Refusals answered 401 (the sender is not who it claims, or the delivery is stale); others are 400.
UNAUTHORIZED = frozenset({"bad_signature", "timestamp_outside_tolerance", "unknown_key_id", "unsigned", "no_key"})


@dataclass(frozen=True)
class Received:
    """One callback: when its body had arrived, just before it was applied (``time.monotonic()``), its target, and
    the library's verdict."""

    at: float
    target: str
    verdict: WebhookVerdict


class WebhookReceiver:
    """Listens on ``host:port`` (0: any free port) and applies callbacks to ``client``'s tasks with ``verifier``.
    ``on_accepted`` and ``on_refused`` (optional) are called with each verdict, on the server's thread (a refusal
    with the request target too)."""

    def __init__(self, client: Any, verifier: Mapping[str, Any], *, host: str = "127.0.0.1", port: int = 0,
                 on_accepted: Callable[[WebhookVerdict], None] | None = None,
                 on_refused: Callable[[str, WebhookVerdict], None] | None = None) -> None:
        self.client = client
        self.verifier = dict(verifier)
        self.on_accepted = on_accepted
        self.on_refused = on_refused
        self.cap = int(self.verifier.get("max_body_bytes", 1 << 20))
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._changed = threading.Condition(self._lock)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                receiver._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="videogen-webhooks", daemon=True)

    @property
    def url(self) -> str:
        """The receiver's base URL, e.g. ``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> WebhookReceiver:
        """Start serving on a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def received(self) -> list[Received]:
        """Every callback so far, oldest first."""
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        """Block until ``count`` callbacks arrived (or ``timeout`` seconds passed); returns them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return list(self._received)

    def _handle(self, request: http.server.BaseHTTPRequestHandler) -> None:
        try:
            length = int(request.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            return self._answer(request, 400)
        if length > self.cap:
            # Not read: the library refuses it by its size too; the connection closes after the answer.
            request.close_connection = True
            return self._answer(request, 413)
        body = request.rfile.read(length)
        headers = list(request.headers.items())
        arrived = time.monotonic()
        verdict = self.client.apply_webhook(self.verifier, headers=headers, body=body, method=request.command,
                                            target=request.path)
        with self._changed:
            self._received.append(Received(arrived, request.path, verdict))
            self._changed.notify_all()
        if verdict.accepted and self.on_accepted is not None:
            self.on_accepted(verdict)
        elif not verdict.accepted and self.on_refused is not None:
            self.on_refused(request.path, verdict)
        self._answer(request, 204 if verdict.accepted else 401 if verdict.reason in UNAUTHORIZED else 400)

    @staticmethod
    def _answer(request: http.server.BaseHTTPRequestHandler, status: int) -> None:
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()
