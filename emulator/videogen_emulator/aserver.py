"""The asyncio server engine (``server="asyncio"``, the default): one event-loop thread per emulator.

Both origins (``api`` and ``cdn``) of one :class:`~videogen_emulator.app.Emulator` are served by one event loop
on one thread, with HTTP/1.1 keep-alive and ``TCP_NODELAY``; a connection costs a coroutine, not a thread.
The request line and headers are parsed here (as :mod:`http.server` parses them); everything after that is
:func:`~videogen_emulator.exchange.exchange`, shared with the threaded engine (:mod:`.server`), whose actions
:class:`Connection` carries out with awaitable stream calls: large bodies are written with backpressure
(``drain``), and fault stalls, pauses, drips and held answers are ``asyncio.sleep``, so nothing blocks the loop.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
import threading
import traceback

from . import exchange
from .exchange import MAX_HEADERS, MAX_LINE, ProtocolError, Site

STREAM_LIMIT = MAX_LINE + 2        # a request or header line of up to MAX_LINE bytes plus CRLF
WRITE_HIGH_WATER = 256 * 1024      # drain (wait for the client) when this much is buffered
YIELD_BYTES = 1024 * 1024          # a long body yields to the other connections after this many bytes
BACKLOG = 1024                     # pending connections: a thousand clients may connect at once
SWEEP_SECONDS = 5.0                # how often idle keep-alive connections are looked at


class Connection:
    """One client connection: reads requests one after the other and runs an exchange for each."""

    __slots__ = ("engine", "site", "reader", "writer", "transport", "idle_since", "task")

    def __init__(self, engine: "AsyncioEngine", site: Site, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.engine, self.site, self.reader, self.writer = engine, site, reader, writer
        self.transport = writer.transport
        self.idle_since: float | None = None
        self.task: asyncio.Task | None = None

    async def serve(self) -> None:
        """Serve requests until the client or a request closes the connection."""
        engine = self.engine
        engine.connections.add(self)
        self.task = asyncio.current_task()
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self.transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        try:
            while await self._one():
                pass
            if not self.transport.is_closing() and self.transport.can_write_eof():
                self.transport.write_eof()      # FIN after what is buffered, as http.server shuts down
        except (OSError, EOFError, asyncio.CancelledError):
            pass
        except Exception:   # noqa: BLE001 - one connection's trouble must not reach the loop
            if self.site.verbose:
                traceback.print_exc()
        finally:
            engine.connections.discard(self)
            if engine.stopping:
                self.transport.abort()
            else:
                self.transport.close()

    async def _one(self) -> bool:
        """Serve one request; True if the connection stays open for another."""
        reader = self.reader
        raw, method = b"", None
        self.idle_since = self.engine.loop.time()
        try:
            raw = await reader.readline()
            self.idle_since = None
            if not raw:
                return False
            parsed = exchange.parse_request_line(raw)
            if parsed is None:
                return False
            method, target, version, keep_alive = parsed
            headers = exchange.Headers()
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                if len(headers) >= MAX_HEADERS:
                    raise ProtocolError(431, "Too many headers")
                exchange.add_header_line(headers, line)
        except ValueError:                  # a line longer than the stream limit
            self.idle_since = None
            return self._refuse(ProtocolError(431, "Line too long") if raw else ProtocolError(414), method)
        except ProtocolError as error:
            return self._refuse(error, method)
        if method not in exchange.METHODS:
            return self._refuse(ProtocolError(501, f"Unsupported method ({method!r})"), method)
        keep_alive = exchange.keeps_alive(headers, keep_alive)
        return await self._run(exchange.exchange(self.site, method, target, version, headers)) and keep_alive

    def _refuse(self, error: ProtocolError, method: str | None) -> bool:
        """Answer a request the server cannot serve with a protocol-level error; the connection closes."""
        self.writer.write(exchange.error_page(error.status, error.message, method != "HEAD"))
        return False

    async def _run(self, steps: exchange.Exchange) -> bool:
        """Carry out the actions of one exchange; True if the connection may be kept alive."""
        writer, reader, transport = self.writer, self.reader, self.transport
        keep = True
        result = None
        written = 0
        try:
            while True:
                action = steps.send(result)
                kind, result = action[0], None
                if kind == exchange.WRITE:
                    if transport.is_closing():      # the client went away: stop producing the body
                        raise ConnectionResetError("connection lost")
                    writer.write(action[1])
                    written += len(action[1])
                    if transport.get_write_buffer_size() > WRITE_HIGH_WATER:
                        await writer.drain()
                    elif written >= YIELD_BYTES:    # a fast reader of a long body: let the others in
                        written = 0
                        await asyncio.sleep(0)
                elif kind == exchange.READ:
                    result = await reader.readexactly(action[1])
                elif kind == exchange.READLINE:
                    result = await self._readline()
                elif kind == exchange.SLEEP:
                    await writer.drain()
                    await asyncio.sleep(action[1])
                    result = self.engine.emu.stopping.is_set()
                elif kind == exchange.CLOSE:
                    keep = False
                else:
                    await self._reset()
                    return False
        except StopIteration:
            pass
        finally:
            steps.close()
        if transport.get_write_buffer_size():
            await writer.drain()
        return keep

    async def _readline(self) -> bytes:
        try:
            return await self.reader.readline()
        except ValueError:                  # longer than the stream limit: malformed either way
            return b"x"

    async def _reset(self) -> None:
        """Send what is buffered, then abort with a TCP reset (SO_LINGER 0), sending nothing more."""
        transport = self.transport
        transport.set_write_buffer_limits(high=0)
        await self.writer.drain()
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        transport.abort()


class AsyncioEngine:
    """Both origins of one emulator on one asyncio event loop running on one daemon thread."""

    name = "asyncio"

    def __init__(self, emu, host: str, ports: tuple[int, int], verbose: bool = False) -> None:
        self.emu = emu
        self.verbose = verbose
        self.connections: set[Connection] = set()
        self.stopping = False
        self._listeners: list[socket.socket] = []
        self._servers: list[asyncio.base_events.Server] = []
        try:
            for port in ports:
                self._listeners.append(_listen(host, port))
        except BaseException:
            for sock in self._listeners:
                sock.close()
            raise
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="videogen-emulator-loop", daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result()
        except BaseException:
            self.stop()
            raise

    @property
    def ports(self) -> tuple[int, int]:
        """The bound API and CDN ports."""
        return self._listeners[0].getsockname()[1], self._listeners[1].getsockname()[1]

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    async def _serve(self) -> None:
        for origin, sock in zip(("api", "cdn"), self._listeners):
            site = Site(self.emu, origin, self.verbose)

            def accept(reader, writer, site=site):
                return Connection(self, site, reader, writer).serve()

            self._servers.append(await asyncio.start_server(accept, sock=sock, limit=STREAM_LIMIT,
                                                            backlog=BACKLOG))
        self.loop.create_task(self._sweep())

    async def _sweep(self) -> None:
        """Close keep-alive connections idle for longer than ``exchange.IDLE_TIMEOUT``."""
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = self.loop.time()
            for conn in list(self.connections):
                if conn.idle_since is not None and now - conn.idle_since > exchange.IDLE_TIMEOUT:
                    conn.transport.close()

    async def _shutdown(self) -> None:
        self.stopping = True
        for server in self._servers:
            server.close()
        for conn in list(self.connections):
            conn.transport.abort()
            if conn.task is not None:
                conn.task.cancel()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        """Close the listeners and every open connection, then end the loop and its thread."""
        if self._thread.is_alive() and not self.loop.is_closed():
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(timeout=5)
            except Exception:   # noqa: BLE001 - stopping must not fail
                if self.verbose:
                    traceback.print_exc(file=sys.stderr)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
        for sock in self._listeners:
            sock.close()


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``, bound as ``socketserver.TCPServer`` binds (reuse address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
