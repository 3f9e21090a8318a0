"""The :class:`Emulator`: two loopback HTTP origins sharing one task store."""

from __future__ import annotations

import ipaddress
import threading
import time
from typing import Any

from . import media
from .aserver import AsyncioEngine
from .cdn import UrlSigner
from .faults import EtagCounter, FaultRules, Idempotency
from .requestlog import RequestLog
from .server import ThreadedEngine
from .settings import Settings
from .store import TaskStore
from .webhooks import WebhookSender

ENGINES = {"asyncio": AsyncioEngine, "threads": ThreadedEngine}
SERVERS = tuple(ENGINES)    # the first is the default


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _origin(host: str, port: int) -> str:
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Emulator:
    """A loopback emulator of video-generation APIs: OpenAI Videos, new-api's task
    relay, Kling's native route, Router One and video through Chat Completions.

    It serves the API origin (both dialects and ``/_emulator/...`` control
    routes, see :attr:`base_url`) and a fake CDN origin serving signed,
    expiring ``/files/...`` URLs (see :attr:`cdn_url`). Every instance has
    its own tasks, settings, request log and signing secret.

    Use ``start()``/``stop()`` or a ``with`` block. Binding to a non-loopback
    host needs ``allow_remote=True``. ``server`` picks the engine: ``"asyncio"``
    (default: one event-loop thread serves both origins, no thread per
    connection) or ``"threads"`` (a thread per connection). ``request_log=False``
    keeps requests out of the request log (they are still counted in stats).
    ``server_address`` is the address the ``emu-proxy`` scenario names its
    content route under (see :mod:`.gateway`).
    """

    def __init__(self, api_key: str = "sk-emulator", task_seconds: float = 3.0,
                 unified_shape: str = "envelope", host: str = "127.0.0.1", port: int = 0,
                 cdn_port: int = 0, www_authenticate: str = "Bearer",
                 poll_after_ms: int | None = None, *, url_ttl_seconds: int = 600,
                 kling_shape: str = "envelope", chat_form: str = "markdown",
                 allow_remote: bool = False, verbose: bool = False, server: str = SERVERS[0],
                 request_log: bool = True, task_seconds_spread: float = 0.0,
                 server_address: str | None = None) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key must be a non-empty string")
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to bind to non-loopback host {host!r} without allow_remote")
        if server not in ENGINES:
            raise ValueError(f"server must be one of: {', '.join(SERVERS)}")
        self.api_key = api_key
        self.server = server
        self.host, self.port, self.cdn_port = host, port, cdn_port
        self.verbose = verbose
        self.settings = Settings(task_seconds=task_seconds, task_seconds_spread=task_seconds_spread, unified_shape=unified_shape,
                                 www_authenticate=www_authenticate, poll_after_ms=poll_after_ms,
                                 url_ttl_seconds=url_ttl_seconds, kling_shape=kling_shape,
                                 chat_form=chat_form, server_address=server_address)
        self.store = TaskStore(progress_profile=lambda: self.settings.get("progress_profile"))
        self.log = RequestLog(enabled=request_log)
        self.signer = UrlSigner()
        self.faults = FaultRules()          # fault-injection rules (see faults.py)
        self.idempotency = Idempotency()    # submits deduplicated by Idempotency-Key
        self.etags = EtagCounter()
        self.webhooks = WebhookSender()     # signed callbacks when tasks end (see webhooks.py)
        self.started_wall = time.time()
        self.sample = media.load_sample(self.started_wall)
        self.variants = media.load_variants(self.started_wall)   # thumbnail and spritesheet JPEGs
        self._engine: AsyncioEngine | ThreadedEngine | None = None
        self._lock = threading.Lock()
        self.stopping = threading.Event()   # set by stop(): routes that hold a request open give up

    def __repr__(self) -> str:
        state = self.base_url if self._engine else "stopped"
        return f"<Emulator {state}>"

    def start(self) -> "Emulator":
        """Bind both origins and serve them on daemon threads (non-blocking)."""
        with self._lock:
            if self._engine is not None:
                raise RuntimeError("emulator already started")
            self.stopping.clear()
            self._engine = ENGINES[self.server](self, self.host, (self.port, self.cdn_port), self.verbose)
        return self

    def stop(self) -> None:
        """Stop serving, close the listeners and open connections (idempotent)."""
        self.stopping.set()
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.stop()
        self.webhooks.clear()

    def __enter__(self) -> "Emulator":
        if self._engine is None:
            self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _port(self, index: int) -> int:
        engine = self._engine
        if engine is None:
            raise RuntimeError("emulator is not started")
        return engine.ports[index]

    @property
    def base_url(self) -> str:
        """The API origin, e.g. ``http://127.0.0.1:PORT`` (only while started)."""
        return _origin(self.host, self._port(0))

    @property
    def cdn_url(self) -> str:
        """The fake CDN origin serving signed ``/files/...`` URLs (only while started)."""
        return _origin(self.host, self._port(1))

    def requests(self) -> list[dict[str, Any]]:
        """The request log of both origins, oldest first (see :class:`RequestLog`)."""
        return self.log.entries()

    def set_faults(self, rules: list[dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
        """Install fault rules (see :mod:`videogen_emulator.faults`); ``[]`` removes them all."""
        return self.faults.install(rules, seed)

    def signed_url(self, name: str, ttl_seconds: int = 600) -> str:
        """A signed CDN URL for ``/files/<name>``; a negative TTL gives an expired one."""
        return self.signer.sign(self.cdn_url, name, ttl_seconds)
