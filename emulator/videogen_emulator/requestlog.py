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
    ``MAX_ENTRIES`` are kept. With ``enabled=False`` requests are only counted. Task-creating POSTs are also
    counted apart (:meth:`count_submit`), so that a run of any length can tell how many submits reached the API.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, enabled: bool = True) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_entries)
        self._counts = dict.fromkeys(ORIGINS, 0)
        self._submits = {"received": 0, "replayed": 0}
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

    def count_submit(self, replayed: bool) -> None:
        """Count one POST to a route of the API origin (a submit, a remix or a chat completion: every route that
        creates a task), answered by its route or, with ``replayed``, from the Idempotency-Key ledger."""
        with self._lock:
            self._submits["received"] += 1
            if replayed:
                self._submits["replayed"] += 1

    def submits(self) -> dict[str, int]:
        """``received`` (task-creating POSTs, whatever their answer) and ``replayed`` (of those, answered from the
        Idempotency-Key ledger) since start or the last :meth:`clear`; unbounded, unlike the entries."""
        with self._lock:
            return dict(self._submits)

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
            self._submits = {"received": 0, "replayed": 0}
