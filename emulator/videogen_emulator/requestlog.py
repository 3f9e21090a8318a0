"""The request log: one entry per request on either origin (never header secrets), and request counters."""

from __future__ import annotations

import collections
import threading
from typing import Any, Callable

MAX_ENTRIES = 10_000
ORIGINS = ("api", "cdn")


class RequestLog:
    """Thread-safe, bounded list of request records, and unbounded per-origin request counters.

    Each entry is a dict with ``origin`` (``api``/``cdn``), ``method``,
    ``path`` (no query), ``query`` (dict), ``authorization``
    (``none``/``valid``/``invalid``), ``idempotency_key``, ``content_type``,
    ``range``, ``status`` and ``time`` (unix seconds). Only the newest
    ``MAX_ENTRIES`` are kept. With ``enabled=False`` requests are only counted.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, enabled: bool = True) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_entries)
        self._counts = dict.fromkeys(ORIGINS, 0)
        self.enabled = enabled

    def append(self, entry: dict[str, Any]) -> None:
        """Add one entry (counted for its origin)."""
        self.record(entry["origin"], lambda: dict(entry))

    def record(self, origin: str, make_entry: Callable[[], dict[str, Any]]) -> None:
        """Count one request of ``origin``; keep the entry ``make_entry()`` builds if the log is enabled."""
        with self._lock:
            self._counts[origin] += 1
            if self.enabled:
                self._entries.append(make_entry())

    def entries(self) -> list[dict[str, Any]]:
        """Return copies of all entries, oldest first."""
        with self._lock:
            return [dict(e, query=dict(e["query"])) for e in self._entries]

    def counts(self) -> dict[str, int]:
        """How many requests each origin served since start or the last :meth:`clear`."""
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        """Remove every entry and zero the counters."""
        with self._lock:
            self._entries.clear()
            self._counts = dict.fromkeys(ORIGINS, 0)
