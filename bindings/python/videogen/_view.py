"""A task's view: what this process last saw of one task, kept current from the values of each update.

The view is owned by its :class:`~videogen.Task` and changed only through :meth:`TaskView.apply` (an update's values,
from the blocking calls' bridge or the asyncio event pump) and :meth:`TaskView.load` (a fresh read of the native
task, when a task object is made or its record is asked for). Nothing here re-reads the native task to learn what an
update said: the update carries it.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any, Literal

from . import _cabi
from ._native import error_from_handle, take_string
from .errors import ErrorCode, VideoGenError, error_for
from .progress import Progress
from .state import State


def _state(word: object) -> State:
    """The state a snapshot names; a word this binding does not know reads as FAILED (as the library's do)."""
    try:
        return State(word if isinstance(word, str) else "queued")
    except ValueError:
        return State.FAILED


class TaskView:
    """State, progress, queue position, bytes, error and the full snapshot of one task, as last seen.

    Every attribute is replaced whole (never mutated in place), so other threads may read it at any time. The
    snapshot document is parsed on first use after an update (a progress update changes the typed fields only).
    """

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        self._document: dict[str, Any] = {}
        self._pending: bytes | None = None
        self.state = State.QUEUED
        self.progress: int | None = None
        self.queue_position: int | None = None
        self.error: VideoGenError | None = None
        self.bytes_received = 0
        self.bytes_total: int | None = None

    # -- what changes the view ---------------------------------------------------------------------------------------

    def load(self, handle: int) -> None:
        """Read the whole task from the native handle (a new task object, or an explicit :meth:`Task.record`)."""
        out = ctypes.c_void_p()
        if self._lib.vg_task_snapshot_json(handle, ctypes.byref(out)) != ErrorCode.OK:
            return
        document = json.loads(take_string(self._lib, out))
        self._set_document(document)
        self.bytes_received = int(self._lib.vg_task_bytes_received(handle))
        total = int(self._lib.vg_task_bytes_total(handle))
        self.bytes_total = total if total >= 0 else None
        code = self._lib.vg_task_error_code(handle)
        if code == ErrorCode.OK:
            self.error = None
        else:
            raw = document.get("error") or {}
            message = self._lib.vg_task_error_message(handle)
            self.error = error_for(
                code, message.decode("utf-8", "replace") if message else str(raw.get("message") or "task failed"),
                http_status=raw.get("http_status") or None, provider_code=raw.get("provider_code"),
                retry_after=raw.get("retry_after"), task_id=self.id or None)

    def apply(self, update: _cabi.Update) -> None:
        """Take the values of one update (during the callback that received it: its pointers are borrowed)."""
        self.state = State.from_native(update.state)
        self.progress = update.progress if update.progress >= 0 else None
        self.queue_position = update.queue_position if update.queue_position >= 0 else None
        self.bytes_received = int(update.bytes_received)
        self.bytes_total = int(update.bytes_total) if update.bytes_total >= 0 else None
        if update.snapshot_json is not None:
            self._pending = update.snapshot_json  # parsed when first read
        if update.task_error:
            code = self._lib.vg_error_code(update.task_error)
            self.error = error_from_handle(self._lib, code, update.task_error, self.id)
        else:
            self.error = None

    def _set_document(self, document: dict[str, Any]) -> None:
        self._document = document
        self._pending = None
        self.state = _state(document.get("state"))
        progress = document.get("progress")
        self.progress = progress if isinstance(progress, int) else None
        position = document.get("queue_position")
        self.queue_position = position if isinstance(position, int) else None

    # -- reading -----------------------------------------------------------------------------------------------------

    @property
    def document(self) -> dict[str, Any]:
        """The task's snapshot document as last seen (do not modify: copy it)."""
        pending = self._pending
        if pending is not None:
            try:
                document = json.loads(pending)
            except ValueError:
                document = self._document
            if self._pending is pending:
                self._document = document
                self._pending = None
            return document
        return self._document

    @property
    def id(self) -> str:
        """The task's id ("" until an asynchronous submit is answered)."""
        return str(self.document.get("id") or "")

    def progress_report(self, task: Any, kind: Literal["status", "download"]) -> Progress:
        """The :class:`Progress` a callback gets for the view as it is now."""
        return Progress(task, kind, self.state, self.progress, self.queue_position, self.bytes_received,
                        self.bytes_total)
