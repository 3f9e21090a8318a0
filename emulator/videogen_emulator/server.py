"""The threaded server engine (``server="threads"``): one thread per connection, ``http.server`` parsing.

One :class:`EmulatorHTTPServer` serves one origin (``api`` or ``cdn``) of one
:class:`~videogen_emulator.app.Emulator`; all state lives on that emulator. The request line and headers are
parsed by :mod:`http.server`; everything after that is :func:`~videogen_emulator.exchange.exchange`, shared
with the asyncio engine (:mod:`.aserver`), whose actions :class:`Handler` carries out with blocking socket calls.
"""

from __future__ import annotations

import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import exchange
from .exchange import Site

__all__ = ["EmulatorHTTPServer", "Handler", "ThreadedEngine"]


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server for one origin of one emulator."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128   # the default 5 drops SYNs under parallel clients (1 s retransmit)

    def __init__(self, address: tuple[str, int], emu, origin: str, verbose: bool = False) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.site = Site(emu, origin, verbose)
        self.emu = emu
        self.origin = origin
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


class Handler(BaseHTTPRequestHandler):
    """Parses one request with :mod:`http.server`, then runs the shared exchange on blocking socket calls."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"   # answer even garbage request lines with a status line
    server_version = "videogen-emulator/0.1"
    timeout = exchange.IDLE_TIMEOUT
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

    def handle_expect_100(self) -> bool:
        """Leave ``Expect: 100-continue`` to the exchange (it refuses an oversized body before it is sent)."""
        return True

    def do_GET(self) -> None:
        """Handle any supported method."""
        steps = exchange.exchange(self.server.site, self.command, self.path, self.request_version, self.headers)
        stopping = self.server.emu.stopping
        result = None
        try:
            while True:
                action = steps.send(result)
                kind, result = action[0], None
                if kind == exchange.WRITE:
                    self.wfile.write(action[1])
                elif kind == exchange.READ:
                    result = self.rfile.read(action[1])
                    if len(result) != action[1]:
                        raise ConnectionError("client closed the connection mid-body")
                elif kind == exchange.READLINE:
                    result = self.rfile.readline(1024)
                elif kind == exchange.SLEEP:
                    result = stopping.wait(action[1])
                elif kind == exchange.CLOSE:
                    self.close_connection = True
                else:
                    self._reset()
        except StopIteration:
            pass
        except OSError:
            self.close_connection = True
        finally:
            steps.close()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _reset(self) -> None:
        """Abort the connection with a TCP reset (SO_LINGER 0), sending nothing more."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method...) as JSON, then close."""
        self.wfile.write(exchange.error_page(code, message, self.command != "HEAD"))
        self.close_connection = True

    def log_request(self, code="-", size="-") -> None:
        """Disabled: requests are logged by the exchange (and printed only when verbose)."""

    def log_message(self, format: str, *args) -> None:
        """Quiet unless verbose."""
        if self.server.verbose:
            super().log_message(format, *args)


class ThreadedEngine:
    """Both origins of one emulator on :class:`EmulatorHTTPServer` threads (a thread per connection)."""

    name = "threads"

    def __init__(self, emu, host: str, ports: tuple[int, int], verbose: bool = False) -> None:
        self._servers: list[EmulatorHTTPServer] = []
        self._threads: list[threading.Thread] = []
        api = EmulatorHTTPServer((host, ports[0]), emu, "api", verbose)
        try:
            cdn = EmulatorHTTPServer((host, ports[1]), emu, "cdn", verbose)
        except BaseException:
            api.server_close()
            raise
        self._servers = [api, cdn]
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"videogen-emulator-{server.origin}", daemon=True)
            thread.start()
            self._threads.append(thread)

    @property
    def ports(self) -> tuple[int, int]:
        """The bound API and CDN ports."""
        return self._servers[0].server_address[1], self._servers[1].server_address[1]

    def stop(self) -> None:
        """Stop both loops, close the listeners and every open connection."""
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:          # both loops notice within one poll interval
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
