"""The bridge from one operation's updates to a task's view and a Python progress callable.

The same bridge serves the blocking calls (its :attr:`UpdateBridge.function` is the ``vg_update_fn`` given to
``vg_task_wait_v2`` and friends, so it runs on the calling thread) and the asyncio event pump (which hands it each
update ``vg_client_dispatch_v2`` delivers, on the loop's thread): every update's values go into the
:class:`~videogen._view.TaskView`, then the callable gets a :class:`~videogen.Progress`.

An exception raised by the callable is kept, the library is told to stop (non-zero return), and the caller re-raises
it once the operation has ended. The bridge owns its ``ctypes`` callback object, so it lives as long as the C call
that may invoke it (the bridge is a local of that call).
"""

from __future__ import annotations

from typing import Any

from . import _cabi
from ._view import TaskView
from .progress import ProgressCallback


class UpdateBridge:
    """Updates of one operation on a task: into ``view``, then to ``on_progress`` with ``task`` as the subject."""

    def __init__(self, view: TaskView, task: Any, on_progress: ProgressCallback | None) -> None:
        self.view = view
        self.task = task
        self.on_progress = on_progress
        self.exception: BaseException | None = None
        self.function = _cabi.UPDATE_FN(self._called)

    def _called(self, _handle: int | None, update: Any, _user_data: int | None) -> int:
        return self.handle(update.contents)

    def handle(self, update: _cabi.Update) -> int:
        """Apply one update and report it; returns what the library is told (non-zero: stop)."""
        try:
            self.view.apply(update)
            if self.exception is not None:
                return 1
            if self.on_progress is not None and update.kind != _cabi.EVENT_DONE:
                kind = "download" if update.kind == _cabi.EVENT_TRANSFER else "status"
                self.on_progress(self.view.progress_report(self.task, kind))
        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller once the operation ended
            if self.exception is None:
                self.exception = exc
            return 1
        return 0

    def reraise(self) -> None:
        """Raise the callable's exception, if it raised one (traceback preserved)."""
        if self.exception is not None:
            exc, self.exception = self.exception, None
            raise exc
