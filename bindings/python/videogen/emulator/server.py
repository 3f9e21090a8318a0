"""HTTP plumbing: the threaded server, the request handler and route dispatch.

One :class:`EmulatorHTTPServer` serves one origin (``api`` or ``cdn``) of one
:class:`~videogen.emulator.app.Emulator`; all state lives on that emulator.
Every request is logged, every answer carries Content-Length, and any
exception in a route becomes a JSON 500 instead of killing the server.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import (auth, cdn, chat_routes, control, faults, kling_routes, openai_routes, routerone_routes,
               unified_routes)
from .errors import internal_error, method_not_allowed, not_found, openai_error
from .messages import HttpError, Request, Response

MAX_BODY = 32 * 1024 * 1024
MAX_DRAIN = 64 * 1024 * 1024   # an oversized body up to this size is read and dropped before the 413
API_ROUTES = (control.ROUTES + openai_routes.ROUTES + unified_routes.ROUTES + kling_routes.ROUTES
              + routerone_routes.ROUTES + chat_routes.ROUTES)
PROTECTED_PREFIXES = ("/v1/", "/kling/")   # paths that need the API key
CDN_ROUTES = cdn.ROUTES + [route for route in control.ROUTES if route[2] is control.blob]  # redirect faults


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server for one origin of one emulator."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128   # the default 5 drops SYNs under parallel clients (1 s retransmit)

    def __init__(self, address: tuple[str, int], emu, origin: str, verbose: bool = False) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.emu = emu
        self.origin = origin
        self.routes = API_ROUTES if origin == "api" else CDN_ROUTES
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def track(self, conn: socket.socket, add: bool) -> None:
        """Register (``add``) or forget an open client connection."""
        with self._connections_lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def close_connections(self) -> None:
        """Shut down every open client connection (used by ``Emulator.stop``)."""
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        """Connection-level errors (resets, timeouts) are expected; stay quiet unless verbose."""
        if self.verbose:
            super().handle_error(request, client_address)

    def dispatch(self, req: Request, authorization: str) -> Response:
        """Find the route for ``req`` and run it (auth first for ``/v1/`` and ``/kling/`` on the API origin)."""
        emu = self.emu
        if self.origin == "api" and req.path.startswith(PROTECTED_PREFIXES) and authorization != "valid":
            return auth.unauthorized(req.path, emu.settings.get("www_authenticate"))
        method = "GET" if req.method == "HEAD" else req.method
        allowed = []
        for route_method, pattern, func in self.routes:
            match = pattern.match(req.path)
            if not match:
                continue
            if route_method != method:
                allowed.append(route_method)
                continue
            params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            try:
                return func(emu, req, **params)
            except HttpError as exc:
                return exc.response
        if allowed:
            return method_not_allowed(req.method, req.path, allowed)
        return cdn.not_found(req) if self.origin == "cdn" else not_found(req.method, req.path)


class Handler(BaseHTTPRequestHandler):
    """Reads one request, dispatches it, logs it and writes the response."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"   # answer even garbage request lines with a status line
    server_version = "videogen-emulator/0.1"
    timeout = 60
    server: EmulatorHTTPServer

    def setup(self) -> None:
        """Register the connection so ``Emulator.stop`` can close it, and send small writes at once.

        Headers and body are written separately; with Nagle's algorithm on, the body of a keep-alive answer waits
        for the client's delayed ACK (about 40 ms on Linux) before leaving.
        """
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.track(self.connection, True)

    def finish(self) -> None:
        """Forget the connection."""
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def do_GET(self) -> None:
        """Handle GET."""
        self._handle()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    # -- request reading ------------------------------------------------------

    def _too_large(self) -> HttpError:
        response = openai_error(413, f"Request body exceeds {MAX_BODY} bytes.",
                                code="request_too_large")
        response.close = True
        return HttpError(response)

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before the client sends it."""
        length = self.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > MAX_BODY:
            self._finish(self._too_large().response, time.time(), *self._target())
            return False
        return super().handle_expect_100()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = (self.headers.get("Content-Length") or "0").strip()
        if not length.isdigit():
            response = openai_error(400, "Invalid Content-Length header.", code="invalid_request")
            response.close = True
            raise HttpError(response)
        size = int(length)
        if size > MAX_BODY:
            if size <= MAX_DRAIN:
                self._drain(size)
            raise self._too_large()
        return self._read_exact(size)

    def _read_exact(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) != size:
            raise ConnectionError("client closed the connection mid-body")
        return data

    def _drain(self, size: int) -> None:
        while size > 0:
            size -= len(self._read_exact(min(size, 1 << 20)))

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size < 0:
                    raise ValueError(line)
            except ValueError:
                response = openai_error(400, "Malformed chunked body.", code="invalid_request")
                response.close = True
                raise HttpError(response)
            if size == 0:
                while self.rfile.readline(1024).strip():   # trailers
                    pass
                return bytes(body)
            if len(body) + size > MAX_BODY:
                raise self._too_large()
            body += self._read_exact(size)
            self._read_exact(2)

    # -- dispatch -------------------------------------------------------------

    def _target(self) -> tuple[str, dict[str, str]]:
        path, query = self._split_target()
        return path or "/", dict(urllib.parse.parse_qsl(query, keep_blank_values=True))

    def _split_target(self) -> tuple[str, str]:
        try:
            split = urllib.parse.urlsplit(self.path)
            return split.path, split.query
        except ValueError:                 # e.g. an unbalanced "[" in an absolute URL
            path, _, query = self.path.partition("?")
            return path, query

    def _faults(self, path: str, query: dict[str, str]) -> faults.Plan | None:
        """The fault plan of this request (header, query parameter, then the configured rules), or None."""
        emu = self.server.emu
        chosen: list[faults.Fault] = []
        for text in (self.headers.get("X-Emulator-Fault"), query.get("fault")):
            if text:
                chosen += faults.parse_specs(text)
        chosen += emu.faults.select(self.command, path, self.server.origin)
        return faults.plan(chosen, None) if chosen else None

    def _handle(self) -> None:
        received = time.time()
        self.logged_range = None
        path, query = self._target()
        plan: faults.Plan | None = None
        replayed = False
        try:
            body = self._read_body()
            try:
                plan = self._faults(path, query)
            except ValueError as exc:
                raise HttpError(openai_error(400, f"Bad fault: {exc}", code="invalid_fault"))
            req = Request(self.command, path, query, self.headers, body, self.server.origin)
            if plan is not None and plan.ignore_range:
                self.logged_range = self.headers.get("Range")
                del self.headers["Range"], self.headers["If-Range"]
            if plan is not None and plan.stall:
                self.server.emu.stopping.wait(plan.stall)
            if plan is not None and plan.reset_before:
                self._log_fault(plan, received, path, query, 0)
                self._reset()
                return
            if plan is not None and plan.answer is not None:
                response = plan.answer
            elif plan is not None and plan.redirect is not None:
                response = faults.redirect_answer(self.server.emu, req, self._split_target()[1], plan.redirect)
            else:
                response, replayed = self._dispatch_once(req)
        except HttpError as exc:
            response = exc.response
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        except Exception as exc:   # noqa: BLE001 - a route bug must not kill the server
            if self.server.verbose:
                traceback.print_exc()
            response = internal_error(exc)
        if plan is not None and plan.commit_drop:
            self._log_fault(plan, received, path, query, 0)
            self._reset()
            return
        if plan is not None and plan.etag_change:
            faults.change_etag(response, self.server.emu.etags.next())
        self._finish(response, received, path, query, plan, replayed)

    def _dispatch_once(self, req: Request) -> tuple[Response, bool]:
        """Dispatch, deduplicating API-origin POSTs that carry an ``Idempotency-Key``."""
        key = self.headers.get("Idempotency-Key")
        if self.server.origin != "api" or req.method != "POST" or not key:
            return self.server.dispatch(req, self._authorization()), False
        if self._authorization() != "valid" and req.path.startswith(PROTECTED_PREFIXES):
            return self.server.dispatch(req, self._authorization()), False
        ledger = self.server.emu.idempotency
        fingerprint = f"{req.method} {req.path} " + hashlib.sha256(req.body).hexdigest()
        replay = ledger.begin(key, fingerprint)
        if replay is not None:
            return replay, True
        response = internal_error(RuntimeError("no answer"))
        try:
            response = self.server.dispatch(req, self._authorization())
        finally:
            ledger.finish(key, response)
        return response, False

    def _reset(self) -> None:
        """Abort the connection with a TCP reset (SO_LINGER 0), sending nothing more."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _authorization(self) -> str:
        return auth.classify(self.headers.get("Authorization"), self.server.emu.api_key)

    def _finish(self, response: Response, received: float, path: str, query: dict[str, str],
                plan: faults.Plan | None = None, replayed: bool = False) -> None:
        if response.logged:
            self._log(response, received, path, query, plan, replayed)
        if self.server.verbose:
            print(f"[{self.server.origin}] {self.command} {path} {response.status}",
                  file=sys.stderr, flush=True)
        self._send(response, plan)

    def _log_fault(self, plan: faults.Plan, received: float, path: str, query: dict[str, str],
                   status: int) -> None:
        self._log(Response(status=status), received, path, query, plan, False)

    def _log(self, response: Response, received: float, path: str, query: dict[str, str],
             plan: faults.Plan | None = None, replayed: bool = False) -> None:
        entry = {
            "origin": self.server.origin, "method": self.command, "path": path, "query": query,
            "authorization": self._authorization(),
            "idempotency_key": self.headers.get("Idempotency-Key"),
            "content_type": self.headers.get("Content-Type"),
            "range": getattr(self, "logged_range", None) or self.headers.get("Range"),
            "status": response.status, "time": received,
        }
        if plan is not None:            # only faulted or replayed requests carry these members
            entry["fault"] = plan.text
        if replayed:
            entry["replayed"] = True
        self.server.emu.log.append(entry)

    # -- response writing -----------------------------------------------------

    def _send(self, response: Response, plan: faults.Plan | None = None) -> None:
        if plan is not None:
            self._send_faulted(response, plan)
            return
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(response.content_length))
            for name, value in response.headers:
                self.send_header(name, value)
            if response.close:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            if response.chunks is None:
                self.wfile.write(response.body)
            else:
                for chunk in response.chunks():
                    self.wfile.write(chunk)
        except OSError:
            self.close_connection = True

    def _send_faulted(self, response: Response, plan: faults.Plan) -> None:
        """Send ``response`` shaped by ``plan``: truncated, reset, paused, dripped or chunked."""
        stopping = self.server.emu.stopping
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            if plan.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(response.content_length))
            for name, value in response.headers:
                self.send_header(name, value)
            if response.close or plan.limit is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            sent = 0
            paused = plan.pause_at is None
            for chunk in faults.body_chunks(response):
                while chunk:
                    room = len(chunk)
                    if plan.limit is not None:
                        room = min(room, plan.limit - sent)
                    if not paused:
                        room = min(room, plan.pause_at - sent)
                    if plan.drip is not None:
                        room = min(room, max(1, int(plan.drip / 20)))
                    if room > 0:
                        piece, chunk = chunk[:room], chunk[room:]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if plan.chunked else piece)
                        sent += room
                        if plan.drip is not None and stopping.wait(room / plan.drip):
                            raise ConnectionError("emulator stopping")
                    if plan.limit is not None and sent >= plan.limit:
                        if plan.reset_at_limit:
                            self._reset()
                        else:
                            self.close_connection = True
                        return
                    if not paused and sent >= plan.pause_at:
                        paused = True
                        if stopping.wait(plan.pause):
                            raise ConnectionError("emulator stopping")
            if plan.limit is not None:      # the body was shorter than the limit: close after it anyway
                self.close_connection = True
            if plan.chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method...) as JSON, then close."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        body = json.dumps({"error": {"message": message or phrase, "type": "invalid_request_error",
                                     "param": None, "code": f"http_{code}"}}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)
        self.close_connection = True

    def log_request(self, code="-", size="-") -> None:
        """Disabled: requests are logged by ``_finish`` (and only when verbose)."""

    def log_message(self, format: str, *args) -> None:
        """Quiet unless verbose."""
        if self.server.verbose:
            super().log_message(format, *args)
