"""A raw-socket HTTP server that misbehaves on purpose, for the hostile-server tests (test_hostile_*.py).

It speaks just enough of the openai dialect's three requests to be a believable service, and then breaks the rules
in one chosen way per case. The case is the first segment of the request path: a client configured with
``base_url = server.url("cut-137")`` sends ``POST /cut-137/v1/videos`` (submit), ``GET /cut-137/v1/videos/<id>``
(poll) and ``GET /cut-137/v1/videos/<id>/content`` (download), and the server answers each with the behaviour named
by the case (:data:`BEHAVIOURS`) applied to that request kind's canonical answer (:func:`canonical`).

Everything that arrives is recorded (:class:`Seen`: listener, case, method, target, headers as sent, body), so a
test can check what reached which origin: that the API key never went to another origin, that a re-sent submit
carried the same body. Second origins are further listeners of the same server (:meth:`HostileServer.listener`), and
a trap (:meth:`HostileServer.trap`) is a port that counts every connection made to it (a redirect to ``ftp:`` must
never connect anywhere).

Standard library only; every loop is bounded in bytes or time and stops when the client goes away or the server is
stopped.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

MiB = 1 << 20

#: The id of the one task the server knows.
TASK_ID = "video_hostile"

#: The video the canonical download serves: 256 deterministic bytes.
VIDEO = hashlib.sha256(b"hostile video").digest() * 8

#: How long a connection may keep a server thread busy in any behaviour (drips, floods, endless bodies).
MAX_CONNECTION_SECONDS = 40.0
#: How many bytes an endless body or a flood sends at most before it gives up.
MAX_ENDLESS_BYTES = 4 << 30

_JSON_HEAD = ("Content-Type: application/json\r\n"
              "Cache-Control: no-store\r\n"
              "X-Request-Id: req_hostile_0123456789abcdef\r\n"
              "Connection: close\r\n")


def _json_body(kind: str) -> bytes:
    status = {"submit": '"queued","progress":0', "poll": '"in_progress","progress":42'}[kind]
    return ('{"id":"%s","object":"video","status":%s,"model":"sora-2","seconds":"4","size":"1280x720",'
            '"created_at":1764547200}' % (TASK_ID, status)).encode()


def canonical_body(kind: str) -> bytes:
    """The body of the well-behaved answer to a request of ``kind`` (``submit``, ``poll`` or ``download``)."""
    return VIDEO if kind == "download" else _json_body(kind)


def canonical_head(kind: str, body_length: int, status_line: str = "HTTP/1.1 200 OK") -> bytes:
    """The head of the well-behaved answer to ``kind``, for a body of ``body_length`` bytes."""
    if kind == "download":
        fields = ("Content-Type: video/mp4\r\n"
                  "Cache-Control: private, max-age=3600\r\n"
                  "X-Request-Id: req_hostile_0123456789abcdef\r\n"
                  "Connection: close\r\n")
    else:
        fields = _JSON_HEAD
    return f"{status_line}\r\n{fields}Content-Length: {body_length}\r\n\r\n".encode()


def canonical(kind: str) -> bytes:
    """The whole well-behaved answer to ``kind``: a 200 with a ~170-byte head and a small body."""
    body = canonical_body(kind)
    return canonical_head(kind, len(body)) + body


def head_regions(kind: str) -> dict[str, range]:
    """The byte offsets of the canonical answer, by region: ``status`` (inside the status line and its CRLF),
    ``headers`` (after the status line, before the blank line is complete) and ``body`` (head complete, body not).
    A cut at offset ``k`` sends bytes ``[0, k)`` and closes the connection."""
    whole = canonical(kind)
    status_end = whole.index(b"\r\n") + 2
    head_end = whole.index(b"\r\n\r\n") + 4
    return {"status": range(0, status_end), "headers": range(status_end, head_end),
            "body": range(head_end, len(whole))}


# -- compression bombs ------------------------------------------------------------------------------------------


def _bomb(mebibytes: int, wbits: int) -> bytes:
    """A valid gzip (``wbits`` 31) or zlib (``wbits`` 15, HTTP's ``deflate``) stream of ``mebibytes`` MiB of zeros.

    Deflate after a full flush starts from an empty window, so the compressed form of each further MiB of zeros is
    the same ~1 KiB: the stream is built by repetition in milliseconds, with a correct trailer (CRC-32 and length,
    or Adler-32), so a decoder that reads it all succeeds: only a cap on decoded bytes stops it.
    """
    zeros = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert repeated == compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    total = mebibytes * MiB
    stream = bytearray(first)
    stream += repeated * (mebibytes - 1)
    stream += b"\x03\x00"  # an empty final fixed-Huffman block
    if wbits == 31:
        crc = 0
        for _ in range(mebibytes):
            crc = zlib.crc32(zeros, crc)
        stream += struct.pack("<II", crc, total & 0xFFFFFFFF)
    else:
        stream += struct.pack(">I", ((total % 65521) << 16) | 1)  # Adler-32 of zeros: a = 1, b = n mod 65521
    return bytes(stream)


_bombs: dict[str, bytes] = {}
_bomb_lock = threading.Lock()

#: Decoded size of the bombs: 2 GiB of zeros, from about 2 MiB on the wire.
BOMB_DECODED_MIB = 2048


def bomb(encoding: str) -> bytes:
    """The 2 GiB-of-zeros bomb in ``encoding`` (``gzip`` or ``deflate``), about 2 MiB; built once."""
    with _bomb_lock:
        if encoding not in _bombs:
            _bombs[encoding] = _bomb(BOMB_DECODED_MIB, 31 if encoding == "gzip" else 15)
        return _bombs[encoding]


def gzip_video() -> bytes:
    """The canonical video, gzip-encoded (what an honest server that encodes anyway sends)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(VIDEO) + compressor.flush()


# -- what arrived -----------------------------------------------------------------------------------------------


@dataclass
class Seen:
    """One request as it arrived."""

    listener: str
    case: str
    kind: str
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        lower = name.lower()
        return next((value for key, value in self.headers if key.lower() == lower), None)


@dataclass
class Request:
    """A request being answered: what arrived, plus where the server can be reached for redirects."""

    seen: Seen
    server: HostileServer
    port: int


class ClientGone(Exception):
    """The client closed the connection (or the server is stopping): the behaviour stops."""


@dataclass
class Connection:
    """One accepted connection, with the write helpers the behaviours use."""

    sock: socket.socket
    server: HostileServer
    started: float = field(default_factory=time.monotonic)

    def send(self, data: bytes) -> None:
        """Send ``data`` whole, or raise :class:`ClientGone`."""
        if self.server.stopping.is_set() or time.monotonic() - self.started > MAX_CONNECTION_SECONDS:
            raise ClientGone()
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise ClientGone() from exc

    def drip(self, data: bytes, seconds_per_byte: float) -> None:
        """Send ``data`` one byte at a time, ``seconds_per_byte`` apart."""
        for index in range(len(data)):
            self.send(data[index:index + 1])
            self.pause(seconds_per_byte)

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less when the server stops or the client hangs up."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self.server.stopping.wait(min(left, 0.05)) or self._client_closed():
                raise ClientGone()

    def _client_closed(self) -> bool:
        try:
            self.sock.setblocking(False)
            try:
                data = self.sock.recv(1, socket.MSG_PEEK)
            finally:
                self.sock.setblocking(True)
            return data == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def hold(self) -> None:
        """Keep the connection open and silent until the client goes away (or the connection's time is up)."""
        self.pause(MAX_CONNECTION_SECONDS - (time.monotonic() - self.started))

    def endless(self, pattern: bytes) -> None:
        """Send ``pattern`` again and again until the client goes away or ``MAX_ENDLESS_BYTES`` were sent."""
        sent = 0
        while sent < MAX_ENDLESS_BYTES:
            self.send(pattern)
            sent += len(pattern)


# -- behaviours -------------------------------------------------------------------------------------------------

Behaviour = Callable[[Connection, Request, str], None]


def _ok(conn: Connection, request: Request, arg: str) -> None:
    conn.send(canonical(request.seen.kind))


def _cut(conn: Connection, request: Request, arg: str) -> None:
    conn.send(canonical(request.seen.kind)[:int(arg)])


def _no_reason(conn: Connection, request: Request, arg: str) -> None:
    body = canonical_body(request.seen.kind)
    conn.send(canonical_head(request.seen.kind, len(body), "HTTP/1.1 200") + body)


def _obs_fold(conn: Connection, request: Request, arg: str) -> None:
    whole = canonical(request.seen.kind)
    first_line = whole.index(b"\r\n") + 2
    conn.send(whole[:first_line] + b"X-Folded: first part\r\n  continued on an obs-fold line\r\n" + whole[first_line:])


def _chunked_head(kind: str, status_line: str = "HTTP/1.1 200 OK", extra: str = "") -> bytes:
    content_type = "video/mp4" if kind == "download" else "application/json"
    return (f"{status_line}\r\nContent-Type: {content_type}\r\n{extra}Transfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


def _endless(conn: Connection, request: Request, arg: str) -> None:
    """200, chunked, 64 KiB chunks without end (JSON-looking spaces for control answers)."""
    conn.send(_chunked_head(request.seen.kind) + _chunk(b"["))
    conn.endless(_chunk(b" " * 65536))


def _error_endless(conn: Connection, request: Request, arg: str) -> None:
    """500 with an endless chunked body."""
    conn.send(_chunked_head(request.seen.kind, "HTTP/1.1 500 Internal Server Error") +
              _chunk(b'{"error":{"message":"upstream failed","type":"server_error","code":"x"'))
    conn.endless(_chunk(b" " * 65536))


def _bomb_chunked(conn: Connection, request: Request, arg: str) -> None:
    """200 with ``Content-Encoding: <arg>`` and the bomb as the chunked body (no length to refuse it by)."""
    data = bomb(arg)
    conn.send(_chunked_head(request.seen.kind, extra=f"Content-Encoding: {arg}\r\n"))
    for start in range(0, len(data), 65536):
        conn.send(_chunk(data[start:start + 65536]))
    conn.send(b"0\r\n\r\n")


def _encoded_download(conn: Connection, request: Request, data: bytes, encoding: str) -> None:
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Encoding: {encoding}\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode()
    conn.send(head)
    for start in range(0, len(data), 65536):
        conn.send(data[start:start + 65536])


def _bomb_download(conn: Connection, request: Request, arg: str) -> None:
    """The bomb with an honest Content-Length (its encoded size) and ``Content-Encoding: <arg>``."""
    _encoded_download(conn, request, bomb(arg), arg)


def _gzip_download(conn: Connection, request: Request, arg: str) -> None:
    """The canonical video gzip-encoded, Content-Length of the encoded bytes, though the client asked for
    identity."""
    _encoded_download(conn, request, gzip_video(), "gzip")


def _drip(conn: Connection, request: Request, arg: str) -> None:
    """The canonical answer at 1 byte per second from its first byte."""
    conn.drip(canonical(request.seen.kind), 1.0)


def _drip_body(conn: Connection, request: Request, arg: str) -> None:
    """The canonical head at once, then the body at 1 byte per second."""
    body = canonical_body(request.seen.kind)
    conn.send(canonical_head(request.seen.kind, len(body)))
    conn.drip(body, 1.0)


def _continue_flood(conn: Connection, request: Request, arg: str) -> None:
    """Interim ``100 Continue`` answers without end, never a final answer."""
    conn.endless(b"HTTP/1.1 100 Continue\r\n\r\n" * 2048)


def _redirect(conn: Connection, request: Request, status: str, location: str) -> None:
    conn.send((f"HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
              .encode())


def _landing_url(request: Request, scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{host}:{port}/{request.seen.case}/landing/{request.seen.kind}"


def _redirect_behaviour(arg: str, conn: Connection, request: Request) -> None:
    """``arg`` is ``<status>:<where>``; ``where`` is ``file``, ``ftp``, ``same``, ``same-upper``, ``other`` or
    ``other-upper`` (another origin: a second listener, addressed as ``localhost``)."""
    status, where = arg.split(":", 1)
    reason = {"301": "Moved Permanently", "302": "Found", "303": "See Other", "307": "Temporary Redirect",
              "308": "Permanent Redirect"}[status]
    server = request.server
    if where == "file":
        location = "file:///etc/passwd"
    elif where == "ftp":
        location = f"ftp://127.0.0.1:{server.trap(f'{request.seen.case}/{request.seen.kind}')}/etc/passwd"
    elif where.startswith("same"):
        location = _landing_url(request, "HTTP" if where.endswith("upper") else "http", "127.0.0.1", request.port)
    else:
        location = _landing_url(request, "HTTP" if where.endswith("upper") else "http", "localhost",
                                server.listener("other"))
    _redirect(conn, request, f"{status} {reason}", location)


def _silent(conn: Connection, request: Request, arg: str) -> None:
    conn.hold()


#: Behaviours by name; a case is ``<name>`` or ``<name>-<argument>`` (e.g. ``cut-137``, ``redirect-307:other``).
BEHAVIOURS: dict[str, Behaviour] = {
    "ok": _ok,
    "cut": _cut,
    "noreason": _no_reason,
    "obsfold": _obs_fold,
    "endless": _endless,
    "error500endless": _error_endless,
    "bomb": _bomb_chunked,
    "bombdownload": _bomb_download,
    "gzipdownload": _gzip_download,
    "drip": _drip,
    "dripbody": _drip_body,
    "continueflood": _continue_flood,
    "redirect": lambda conn, request, arg: _redirect_behaviour(arg, conn, request),
    "silent": _silent,
    "upper": _ok,  # the canonical answer; the case is reached through a base URL spelled HTTP://
}

#: Behaviours that must not read the request (the client's bytes stay unread in the socket).
UNREAD = {"silent"}


def _kind(method: str, rest: str) -> str:
    """The request kind from the path after the case segment."""
    if rest.startswith("/landing/"):
        return rest.split("/")[2]
    if method == "POST" and rest == "/v1/videos":
        return "submit"
    if method == "GET" and rest.startswith("/v1/videos/"):
        return "download" if rest.endswith("/content") else "poll"
    return "other"


class HostileServer:
    """The server: a main listener (the configured origin), further listeners on demand (other origins) and traps.
    Start it with ``with HostileServer() as server:``."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._seen: list[Seen] = []
        self._listeners: dict[str, socket.socket] = {}
        self._traps: dict[str, tuple[socket.socket, list[float]]] = {}
        self._threads: list[threading.Thread] = []
        self.port = self.listener("main")

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop accepting, end every behaviour, close every socket."""
        self.stopping.set()
        with self._lock:
            sockets = list(self._listeners.values()) + [sock for sock, _ in self._traps.values()]
        for sock in sockets:
            try:
                sock.close()
            except OSError:
                pass
        for thread in list(self._threads):
            thread.join(timeout=2)

    # -- addresses -----------------------------------------------------------------------------------------------

    def url(self, case: str, scheme: str = "http", host: str = "127.0.0.1") -> str:
        """The base URL that makes every request of a client answered by ``case``."""
        return f"{scheme}://{host}:{self.port}/{case}"

    def listener(self, name: str) -> int:
        """The port of listener ``name`` (another origin than ``main``), opened on first use."""
        with self._lock:
            sock = self._listeners.get(name)
            if sock is None:
                sock = socket.create_server(("127.0.0.1", 0), backlog=128)
                self._listeners[name] = sock
                self._start(self._accept_loop, sock, name)
            return sock.getsockname()[1]

    def trap(self, key: str) -> int:
        """The port of trap ``key`` (``<case>/<kind>``): a listener that only counts connections (see
        :meth:`trapped`)."""
        with self._lock:
            entry = self._traps.get(key)
            if entry is None:
                sock = socket.create_server(("127.0.0.1", 0), backlog=16)
                entry = (sock, [])
                self._traps[key] = entry
                self._start(self._trap_loop, sock, entry[1])
            return entry[0].getsockname()[1]

    def trapped(self, key: str) -> int:
        """How many connections reached trap ``key``."""
        with self._lock:
            entry = self._traps.get(key)
            return len(entry[1]) if entry else 0

    def strays(self) -> list[Seen]:
        """The requests that named no known case (e.g. a ``file:///etc/passwd`` location followed as a path)."""
        with self._lock:
            return [entry for entry in self._seen if entry.kind == "other" or entry.case.partition("-")[0]
                    not in BEHAVIOURS]

    def seen(self, case: str) -> list[Seen]:
        """The requests of ``case`` that arrived so far, in order."""
        with self._lock:
            return [entry for entry in self._seen if entry.case == case]

    # -- internals -----------------------------------------------------------------------------------------------

    def _start(self, target: Callable, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _trap_loop(self, sock: socket.socket, hits: list[float]) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with self._lock:
                hits.append(time.monotonic())
            conn.close()

    def _accept_loop(self, sock: socket.socket, name: str) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn, name, sock.getsockname()[1]), daemon=True)
            thread.start()

    def _serve(self, sock: socket.socket, listener: str, port: int) -> None:
        conn = Connection(sock, self)
        try:
            sock.settimeout(MAX_CONNECTION_SECONDS)
            head = self._read_head(sock)
            if head is None:
                return
            method, target, headers, rest_bytes = head
            segments = target.split("/", 2)
            case = segments[1] if len(segments) > 1 else ""
            rest = "/" + segments[2] if len(segments) > 2 else "/"
            name, _, arg = case.partition("-")
            behaviour = BEHAVIOURS.get(name)
            seen = Seen(listener, case, _kind(method, rest), method, target, headers, b"")
            if behaviour is None or seen.kind == "other":
                with self._lock:
                    self._seen.append(seen)
                conn.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            if rest.startswith("/landing/"):
                behaviour, arg = _ok, ""
            if name not in UNREAD or rest.startswith("/landing/"):
                seen.body = self._read_body(sock, headers, rest_bytes, conn)
            with self._lock:
                self._seen.append(seen)
            behaviour(conn, Request(seen, self, port), arg)
        except (ClientGone, OSError):
            pass
        finally:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            sock.close()

    @staticmethod
    def _read_head(sock: socket.socket) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk or len(data) > 65536:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return method, target, headers, rest

    @staticmethod
    def _read_body(sock: socket.socket, headers: list[tuple[str, str]], data: bytes, conn: Connection) -> bytes:
        values = {name.lower(): value for name, value in headers}
        if values.get("expect", "").lower() == "100-continue":
            conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if values.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in data:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return body
                    data += chunk
                size_line, _, data = data.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(data) < size + 2:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return body + data
                    data += chunk
                body += data[:size]
                data = data[size + 2:]
                if size == 0:
                    return body
        length = int(values.get("content-length") or 0)
        while len(data) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data[:length]
