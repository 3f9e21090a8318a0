"""Bridges from Python progress callables to the C callbacks of the blocking calls.

A bridge owns its ``ctypes`` callback objects, so they live at least as long as the C call that may invoke them
(the bridge is a local of that call). An exception raised by the Python callable is kept, the C side is told to
stop (non-zero return), and the caller re-raises it once the C call has returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _cabi
from .progress import ProgressCallback

if TYPE_CHECKING:
    from .task import Task


class CallbackBridge:
    """The C callbacks for one ``vg_task_wait`` or ``vg_task_download`` call on ``task``."""

    def __init__(self, task: Task, on_progress: ProgressCallback | None) -> None:
        self.task = task
        self.on_progress = on_progress
        self.exception: BaseException | None = None
        # Always installed, even without a Python callable, so the task's cached view stays current during a
        # long wait (other threads read it through the Task's properties).
        self.status_fn = _cabi.PROGRESS_FN(self._status)
        self.transfer_fn = _cabi.TRANSFER_FN(self._transfer)

    def _status(self, _handle: int | None, _user_data: int | None) -> int:
        if self.exception is not None:
            return 1
        try:
            self.task._refresh()
            if self.on_progress is not None:
                self.on_progress(self.task._progress("status"))
        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller once C has returned
            self.exception = exc
            return 1
        return 0

    def _transfer(self, _handle: int | None, received: int, total: int, _user_data: int | None) -> int:
        if self.exception is not None:
            return 1
        try:
            self.task._set_bytes(received, total)
            if self.on_progress is not None:
                self.on_progress(self.task._progress("download"))
        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller once C has returned
            self.exception = exc
            return 1
        return 0

    def reraise(self) -> None:
        """Raise the callable's exception, if it raised one (traceback preserved)."""
        if self.exception is not None:
            exc, self.exception = self.exception, None
            raise exc
