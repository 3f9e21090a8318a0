"""The request log: one entry per request on either origin (never header secrets)."""

from __future__ import annotations

import collections
import threading
from typing import Any

MAX_ENTRIES = 10_000


class RequestLog:
    """Thread-safe, bounded list of request records.

    Each entry is a dict with ``origin`` (``api``/``cdn``), ``method``,
    ``path`` (no query), ``query`` (dict), ``authorization``
    (``none``/``valid``/``invalid``), ``idempotency_key``, ``content_type``,
    ``range``, ``status`` and ``time`` (unix seconds). Only the newest
    ``MAX_ENTRIES`` are kept.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_entries)

    def append(self, entry: dict[str, Any]) -> None:
        """Add one entry."""
        with self._lock:
            self._entries.append(dict(entry))

    def entries(self) -> list[dict[str, Any]]:
        """Return copies of all entries, oldest first."""
        with self._lock:
            return [dict(e, query=dict(e["query"])) for e in self._entries]

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._entries.clear()
