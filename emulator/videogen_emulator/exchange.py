"""One HTTP exchange, independent of the server engine: what both engines (threads, asyncio) share.

After an engine has parsed a request line and its headers, :func:`exchange` does everything else: the request
body (Content-Length, chunked, ``Expect: 100-continue``, the 413 caps), fault plan selection, auth, route
dispatch with ``Idempotency-Key`` replay, the request log, and the answer shaped by the fault plan. It does no
I/O itself: it is a generator that yields *actions* and receives their results, and each engine executes them on
its own sockets:

``(READ, n)``       read exactly ``n`` body bytes; returns them (the engine aborts the exchange on a short read)
``(READLINE,)``     read one line of at most about 1 KiB (chunk sizes, trailers); ``b""`` at end of stream
``(WRITE, data)``   send ``data``
``(SLEEP, s)``      wait ``s`` seconds without blocking other connections; returns True if the emulator is stopping
``(RESET,)``        abort the connection with a TCP reset (SO_LINGER 0) now; nothing more is sent
``(CLOSE,)``        close the connection (FIN) after this exchange instead of keeping it alive

Route functions are synchronous. One that has to hold its answer back (chat completions wait for the video)
returns a :class:`~videogen_emulator.messages.Hold`; the exchange turns it into a ``SLEEP``, so no engine
blocks a thread or its event loop on it.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sys
import time
import traceback
import urllib.parse
from http import HTTPStatus
from typing import Any, Generator

from . import (auth, cdn, chat_routes, control, dashscope_routes, direct_routes, faults, google_routes,
               kling_routes, openai_routes, openrouter_routes, routerone_routes, unified_routes, vidu_routes)
from . import ark_routes, luma_routes, minimax_routes, runway_routes
from .errors import internal_error, method_not_allowed, not_found, openai_error
from .messages import Hold, HttpError, Request, Response

MAX_BODY = 32 * 1024 * 1024
MAX_DRAIN = 64 * 1024 * 1024   # an oversized body up to this size is read and dropped before the 413
MAX_LINE = 65536               # request line and header lines, as http.server
MAX_HEADERS = 100
IDLE_TIMEOUT = 60.0            # an idle keep-alive connection is closed after this long
# Kling's own API (in direct_routes) must win over OpenAI's /v1/videos/{id}, so the direct routes come first.
API_ROUTES = (control.ROUTES + direct_routes.ROUTES + openai_routes.ROUTES + unified_routes.ROUTES
              + kling_routes.ROUTES + routerone_routes.ROUTES + chat_routes.ROUTES + google_routes.ROUTES)
DIRECT_ROUTES = (minimax_routes.ROUTES + runway_routes.ROUTES + luma_routes.ROUTES + ark_routes.ROUTES
                 + dashscope_routes.ROUTES + vidu_routes.ROUTES + openrouter_routes.ROUTES)
API_ROUTES = API_ROUTES + DIRECT_ROUTES + direct_routes.CATCH_ALL_ROUTES   # fal's /{owner}/{app} last
PROTECTED_PREFIXES = ("/v1/", "/kling/", "/v2/", "/dream-machine/", "/api/v3/")   # paths that need the API key
CDN_ROUTES = (cdn.ROUTES + google_routes.CDN_ROUTES + vidu_routes.CDN_ROUTES   # Google's storage, Vidu's covers
              + [route for route in control.ROUTES if route[2] is control.blob])  # redirect faults
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
SERVER_NAME = "videogen-emulator/0.1 Python/" + sys.version.split()[0]

READ, READLINE, WRITE, SLEEP, RESET, CLOSE = "read", "readline", "write", "sleep", "reset", "close"
Action = tuple
Exchange = Generator[Action, Any, None]


class Site:
    """One origin (``api`` or ``cdn``) of one emulator: its routes and how a request is dispatched to them."""

    def __init__(self, emu, origin: str, verbose: bool = False) -> None:
        self.emu = emu
        self.origin = origin
        self.routes = API_ROUTES if origin == "api" else CDN_ROUTES
        self.verbose = verbose

    def dispatch(self, req: Request, authorization: str) -> Response | Hold:
        """Find the route for ``req`` and run it (auth first for ``/v1/`` and ``/kling/`` on the API origin)."""
        emu = self.emu
        if self.origin == "api" and authorization != "valid" and req.path.startswith(PROTECTED_PREFIXES) \
                and not direct_routes.checks_own_credentials(req.path):
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


class Headers:
    """Case-insensitive request headers (the asyncio engine's; the threads engine uses ``http.server``'s).

    ``get`` returns the first value of a name, as ``email.message.Message`` does; ``del`` removes every value.
    """

    __slots__ = ("_items", "_first")

    def __init__(self) -> None:
        self._items: list[tuple[str, str]] = []
        self._first: dict[str, str] = {}

    def add(self, name: str, value: str) -> None:
        """Append one header."""
        self._items.append((name, value))
        self._first.setdefault(name.lower(), value)

    def extend_last(self, line: str) -> None:
        """Append a continuation line (obsolete line folding) to the last header's value, kept folded as
        ``email.message.Message`` keeps it."""
        if self._items:
            name, value = self._items[-1]
            self._items[-1] = (name, value + "\r\n" + line)
            if self._first.get(name.lower()) is value:
                self._first[name.lower()] = value + "\r\n" + line

    def get(self, name: str, default: Any = None) -> Any:
        """The first value of header ``name``, or ``default``."""
        return self._first.get(name.lower(), default)

    def __getitem__(self, name: str) -> str | None:
        return self._first.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def __delitem__(self, name: str) -> None:
        lowered = name.lower()
        self._first.pop(lowered, None)
        self._items = [(n, v) for n, v in self._items if n.lower() != lowered]

    def items(self) -> list[tuple[str, str]]:
        """Every header, in the order received."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


# -- parsing (the asyncio engine's; mirrors http.server.BaseHTTPRequestHandler.parse_request) -------------------

class ProtocolError(Exception):
    """A request the server answers with a protocol-level error (:func:`error_page`) and then closes."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or str(status))
        self.status = status
        self.message = message


def parse_request_line(raw: bytes) -> tuple[str, str, str, bool] | None:
    """``(method, target, version, keep_alive)`` of a request line, None for a blank one (close quietly).

    Raises :class:`ProtocolError` for what ``http.server`` refuses: a bad version (400), HTTP/2 or later (505),
    a malformed line (400), an HTTP/0.9 request other than GET (400).
    """
    if len(raw) > MAX_LINE:
        raise ProtocolError(414)
    line = str(raw, "iso-8859-1").rstrip("\r\n")
    words = line.split()
    if not words:
        return None
    version, keep_alive = "HTTP/1.1", False
    if len(words) >= 3:
        version = words[-1]
        try:
            if not version.startswith("HTTP/"):
                raise ValueError
            numbers = version.split("/", 1)[1].split(".")
            if len(numbers) != 2 or any(not n.isdigit() or len(n) > 10 for n in numbers):
                raise ValueError
            number = int(numbers[0]), int(numbers[1])
        except (ValueError, IndexError):
            raise ProtocolError(400, f"Bad request version ({version!r})") from None
        keep_alive = number >= (1, 1)
        if number >= (2, 0):
            raise ProtocolError(505, f"Invalid HTTP version ({version.split('/', 1)[1]})")
    if not 2 <= len(words) <= 3:
        raise ProtocolError(400, f"Bad request syntax ({line!r})")
    method, target = words[:2]
    if len(words) == 2:
        keep_alive = False
        if method != "GET":
            raise ProtocolError(400, f"Bad HTTP/0.9 request type ({method!r})")
    if target.startswith("//"):
        target = "/" + target.lstrip("/")     # as http.server (gh-87389)
    return method, target, version, keep_alive


def add_header_line(headers: Headers, raw: bytes) -> None:
    """Parse one header line into ``headers`` (continuation lines extend the previous header)."""
    line = str(raw, "iso-8859-1").rstrip("\r\n")
    if line[:1] in (" ", "\t"):
        headers.extend_last(line)
        return
    name, colon, value = line.partition(":")
    if colon and name and name == name.rstrip():
        headers.add(name, value.lstrip(" \t"))


def keeps_alive(headers: Any, keep_alive: bool) -> bool:
    """Whether the connection stays open after this request, given its ``Connection`` header."""
    connection = (headers.get("Connection") or "").lower()
    if connection == "close":
        return False
    return True if connection == "keep-alive" else keep_alive


# -- answers ----------------------------------------------------------------------------------------------------

_status_lines: dict[int, bytes] = {}
_date: list = [0, ""]


def status_line(status: int) -> bytes:
    """``HTTP/1.1 <status> <phrase>\\r\\n`` (cached)."""
    line = _status_lines.get(status)
    if line is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        line = _status_lines[status] = f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")
    return line


def http_date() -> str:
    """The current time as an HTTP date (recomputed once a second)."""
    now = int(time.time())
    if _date[0] != now:
        _date[1] = email.utils.formatdate(now, usegmt=True)
        _date[0] = now
    return _date[1]


def head(status: int, fields: list[tuple[str, str]]) -> bytes:
    """The status line and header block of an answer (with ``Server`` and ``Date``, as ``http.server``)."""
    lines = [f"Server: {SERVER_NAME}\r\nDate: {http_date()}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in fields]
    lines.append("\r\n")
    return status_line(status) + "".join(lines).encode("latin-1")


def error_page(status: int, message: str | None = None, with_body: bool = True) -> bytes:
    """A whole protocol-level error answer (bad request line, unknown method...): JSON, ``Connection: close``."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = json.dumps({"error": {"message": message or phrase, "type": "invalid_request_error",
                                 "param": None, "code": f"http_{status}"}}).encode()
    fields = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Connection", "close")]
    return head(status, fields) + (body if with_body and status >= 200 and status not in (204, 304) else b"")


def _too_large() -> HttpError:
    response = openai_error(413, f"Request body exceeds {MAX_BODY} bytes.", code="request_too_large")
    response.close = True
    return HttpError(response)


def _bad_body(message: str) -> HttpError:
    response = openai_error(400, message, code="invalid_request")
    response.close = True
    return HttpError(response)


# -- the exchange -----------------------------------------------------------------------------------------------

def split_target(target: str) -> tuple[str, str]:
    """The path and raw query string of a request target (origin form or absolute URL)."""
    if target[:1] == "/" and target[1:2] != "/":      # the common case, as urlsplit would split it
        path, _, query = target.partition("#")[0].partition("?")
        return path, query
    try:
        split = urllib.parse.urlsplit(target)
        return split.path, split.query
    except ValueError:                 # e.g. an unbalanced "[" in an absolute URL
        path, _, query = target.partition("?")
        return path, query


def exchange(site: Site, method: str, target: str, version: str, headers: Any) -> Exchange:
    """Serve one request whose line and headers are parsed; yields actions (see the module documentation)."""
    received = time.time()
    path, raw_query = split_target(target)
    path = path or "/"
    query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True)) if raw_query else {}
    authorization = auth.classify(headers.get("Authorization"), site.emu.api_key)
    if authorization == "invalid" and google_routes.minted(site.emu, headers.get("Authorization")):
        authorization = "valid"     # an access token the emulator's OAuth endpoint minted (Vertex AI)
    record = _Record(site, method, path, query, headers, authorization, received)
    if (headers.get("Expect") or "").lower() == "100-continue" and version >= "HTTP/1.1":
        length = headers.get("Content-Length") or ""
        if length.strip().isdigit() and int(length) > MAX_BODY:     # refuse before the client sends it
            yield from _finish(record, _too_large().response)
            return
        yield (WRITE, b"HTTP/1.1 100 Continue\r\n\r\n")
    plan: faults.Plan | None = None
    replayed = False
    try:
        body = yield from _read_body(headers)
        try:
            plan = select_plan(site, method, path, query, headers)
        except ValueError as exc:
            raise HttpError(openai_error(400, f"Bad fault: {exc}", code="invalid_fault"))
        record.plan = plan
        req = Request(method, path, query, headers, body, site.origin)
        if plan is not None:
            if plan.ignore_range:
                record.range = headers.get("Range")
                del headers["Range"], headers["If-Range"]
            if plan.stall:
                yield (SLEEP, plan.stall)
            if plan.reset_before:
                record.log(0)
                yield (RESET,)
                return
        if plan is not None and plan.answer is not None:
            response = plan.answer
        elif plan is not None and plan.redirect is not None:
            response = faults.redirect_answer(site.emu, req, split_target(target)[1], plan.redirect)
        else:
            response, replayed = yield from _dispatch_once(site, req, headers, authorization)
    except HttpError as exc:
        response = exc.response
    except Exception as exc:   # noqa: BLE001 - a route bug must not kill the server
        if site.verbose:
            traceback.print_exc()
        response = internal_error(exc)
    if plan is not None and plan.commit_drop:
        record.log(0)
        yield (RESET,)
        return
    if plan is not None and plan.etag_change:
        faults.change_etag(response, site.emu.etags.next())
    record.replayed = replayed
    yield from _finish(record, response)


class _Record:
    """What the request log needs to know about one request."""

    __slots__ = ("site", "method", "path", "query", "headers", "authorization", "received", "plan",
                 "replayed", "range")

    def __init__(self, site: Site, method: str, path: str, query: dict[str, str], headers: Any,
                 authorization: str, received: float) -> None:
        self.site, self.method, self.path, self.query = site, method, path, query
        self.headers, self.authorization, self.received = headers, authorization, received
        self.plan: faults.Plan | None = None
        self.replayed = False
        self.range: str | None = None

    def log(self, status: int) -> None:
        """Add this request to the emulator's request log (and count it) with ``status``."""
        headers = self.headers
        self.site.emu.log.record(self.site.origin, lambda: self._entry(status, headers))
        if self.site.origin == "api" and self.method == "POST" and not self.path.startswith("/_emulator/"):
            self.site.emu.log.count_submit(self.replayed)

    def _entry(self, status: int, headers: Any) -> dict[str, Any]:
        entry = {
            "origin": self.site.origin, "method": self.method, "path": self.path, "query": self.query,
            "authorization": self.authorization,
            "idempotency_key": headers.get("Idempotency-Key"),
            "content_type": headers.get("Content-Type"),
            "range": self.range or headers.get("Range"),
            "status": status, "time": self.received,
        }
        if self.plan is not None:       # only faulted or replayed requests carry these members
            entry["fault"] = self.plan.text
        if self.replayed:
            entry["replayed"] = True
        return entry


def _read_body(headers: Any) -> Generator[Action, Any, bytes]:
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return (yield from _read_chunked())
    length = (headers.get("Content-Length") or "0").strip()
    if not length.isdigit():
        raise _bad_body("Invalid Content-Length header.")
    size = int(length)
    if size > MAX_BODY:
        while 0 < size <= MAX_DRAIN:           # read and drop it, so the client sees the 413
            piece = min(size, 1 << 20)
            yield (READ, piece)
            size -= piece
        raise _too_large()
    return (yield (READ, size)) if size else b""


def _read_chunked() -> Generator[Action, Any, bytes]:
    body = bytearray()
    while True:
        line = yield (READLINE,)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size < 0:
                raise ValueError(line)
        except ValueError:
            raise _bad_body("Malformed chunked body.") from None
        if size == 0:
            while (yield (READLINE,)).strip():   # trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise _too_large()
        body += yield (READ, size)
        yield (READ, 2)


def select_plan(site: Site, method: str, path: str, query: dict[str, str], headers: Any) -> faults.Plan | None:
    """The fault plan of this request (header, query parameter, then the configured rules), or None."""
    chosen: list[faults.Fault] = []
    for text in (headers.get("X-Emulator-Fault"), query.get("fault")):
        if text:
            chosen += faults.parse_specs(text)
    chosen += site.emu.faults.select(method, path, site.origin)
    return faults.plan(chosen, None) if chosen else None


def _dispatch_once(site: Site, req: Request, headers: Any,
                   authorization: str) -> Generator[Action, Any, tuple[Response, bool]]:
    """Dispatch, deduplicating API-origin POSTs that carry an ``Idempotency-Key``."""
    key = headers.get("Idempotency-Key")
    if site.origin != "api" or req.method != "POST" or not key \
            or (authorization != "valid" and req.path.startswith(PROTECTED_PREFIXES)):
        return (yield from _run(site, req, authorization)), False
    ledger = site.emu.idempotency
    fingerprint = f"{req.method} {req.path} " + hashlib.sha256(req.body).hexdigest()
    replay = ledger.begin(key, fingerprint)
    if replay is not None:
        return replay, True
    response = internal_error(RuntimeError("no answer"))
    try:
        response = yield from _run(site, req, authorization)
    finally:
        ledger.finish(key, response)
    return response, False


def _run(site: Site, req: Request, authorization: str) -> Generator[Action, Any, Response]:
    """Dispatch; a held answer (:class:`Hold`) becomes a ``SLEEP`` before its continuation runs."""
    response = site.dispatch(req, authorization)
    while isinstance(response, Hold):
        yield (SLEEP, response.seconds)
        try:
            response = response.then()
        except HttpError as exc:
            response = exc.response
    return response


def _finish(record: _Record, response: Response) -> Exchange:
    if not keeps_alive(record.headers, True):
        response.close = True       # RFC 9112 §9.6: answer a "close" request with "close", then close
    if response.logged:
        record.log(response.status)
    site = record.site
    if site.verbose:
        print(f"[{site.origin}] {record.method} {record.path} {response.status}", file=sys.stderr, flush=True)
    yield from send(response, record.method, record.plan)


def send(response: Response, method: str, plan: faults.Plan | None = None) -> Exchange:
    """Write ``response``, shaped by ``plan`` if any: truncated, reset, paused, dripped or chunked."""
    chunked = plan is not None and plan.chunked
    fields = [("Content-Type", response.content_type)]
    fields.append(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(response.content_length)))
    fields += response.headers
    close = response.close or (plan is not None and plan.limit is not None)
    if close:
        fields.append(("Connection", "close"))
    header_block = head(response.status, fields)
    if method == "HEAD":
        yield (WRITE, header_block)
    elif plan is None:
        if response.chunks is None:
            yield (WRITE, header_block + response.body)
        else:
            yield (WRITE, header_block)
            for chunk in response.chunks():
                yield (WRITE, chunk)
    else:
        yield (WRITE, header_block)
        if not (yield from _shaped_body(response, plan)):
            return
    if close:
        yield (CLOSE,)


def _shaped_body(response: Response, plan: faults.Plan) -> Generator[Action, Any, bool]:
    """The body under a fault plan; False if the connection was reset or closed on the way."""
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
                yield (WRITE, b"%x\r\n%s\r\n" % (len(piece), piece) if plan.chunked else piece)
                sent += room
                if plan.drip is not None and (yield (SLEEP, room / plan.drip)):
                    yield (CLOSE,)      # the emulator is stopping
                    return False
            if plan.limit is not None and sent >= plan.limit:
                yield (RESET,) if plan.reset_at_limit else (CLOSE,)
                return False
            if not paused and sent >= plan.pause_at:
                paused = True
                if (yield (SLEEP, plan.pause)):
                    yield (CLOSE,)
                    return False
    if plan.chunked:
        yield (WRITE, b"0\r\n\r\n")
    return True
