"""asyncio support: one event pump per client, no thread per task.

The library runs asynchronous operations on its own small pool of threads and queues what they report as events
on the client. The pump watches the client's event descriptor with ``loop.add_reader`` and, when it is readable,
calls ``vg_client_dispatch`` on the loop's thread: UPDATE and TRANSFER events refresh the task's view and call the
operation's progress callable, and each operation's DONE event resolves the future its coroutine awaits.
"""

from __future__ import annotations

import asyncio
import ctypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import _cabi, _loader
from ._native import check, error_from_handle, new_handle
from .errors import ErrorCode, TaskCancelledError, VideoGenError, error_for
from .progress import ProgressCallback
from .task import Task

if TYPE_CHECKING:
    from .client import Client

#: How long :meth:`EventPump.shutdown` waits for cancelled operations to report their end.
SHUTDOWN_GRACE_SECONDS = 5.0


@dataclass(eq=False)
class _Operation:
    """One asynchronous operation in flight: the task, what to call on progress, the future to resolve."""

    task: Task
    kind: Literal["submit", "wait", "download"]
    on_progress: ProgressCallback | None
    future: asyncio.Future[None]
    exception: BaseException | None = field(default=None)


class EventPump:
    """Routes one client's events to the asyncio futures of its operations (see the module docstring)."""

    def __init__(self, client: Client) -> None:
        library = _loader.library()
        if not library.has_async:
            raise VideoGenError(f"{library.path} has no asynchronous calls (vg_client_dispatch); rebuild it",
                                code=ErrorCode.UNSUPPORTED)
        self._client = client
        self._lib = client._lib
        self._client_handle = client._require_handle()
        fd = ctypes.c_int(-1)
        code = self._lib.vg_client_event_fd(self._client_handle, ctypes.byref(fd))
        if code != ErrorCode.OK:
            raise error_for(code, "cannot get the client's event descriptor")
        self._fd = fd.value
        self._ops: dict[int, _Operation] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reading = False
        # Kept for the pump's whole life: C holds this pointer during every dispatch.
        self._callback = _cabi.EVENT_FN(self._on_event)
        self._count = ctypes.c_size_t()

    # -- operations ------------------------------------------------------------------------------------------------

    async def submit(self, client_handle: int, body: bytes) -> Task:
        """Start an asynchronous submit and await its end; returns the task."""
        loop = self._attach()
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        code = self._lib.vg_client_submit_async(client_handle, body, ctypes.byref(out), ctypes.byref(error))
        if code != ErrorCode.OK:
            self._detach_if_idle()
        check(self._lib, code, error)
        task = Task(self._client, new_handle(out))
        await self._await(task, "submit", None, loop)
        return task

    async def run(self, task: Task, kind: Literal["wait", "download"], on_progress: ProgressCallback | None,
                  start: Callable[[Any], int]) -> None:
        """Start ``task``'s asynchronous ``kind`` operation with ``start(error_out)`` and await its DONE event."""
        loop = self._attach()
        error = ctypes.c_void_p()
        code = start(ctypes.byref(error))
        if code != ErrorCode.OK:
            self._detach_if_idle()
            task._refresh()
            task._raise_for(code, error)
        self._lib.vg_error_free(error)
        await self._await(task, kind, on_progress, loop)

    async def _await(self, task: Task, kind: Literal["submit", "wait", "download"],
                     on_progress: ProgressCallback | None, loop: asyncio.AbstractEventLoop) -> None:
        handle = task._require_handle()
        operation = _Operation(task, kind, on_progress, loop.create_future())
        self._ops[handle] = operation
        try:
            await operation.future
        except asyncio.CancelledError:
            # The awaiting coroutine was cancelled: stop the native operation too. Its DONE event still comes
            # (every started operation ends with exactly one) and unregisters it.
            if not task.closed:
                try:
                    task.cancel()
                except VideoGenError:
                    pass
            raise

    # -- the loop side ---------------------------------------------------------------------------------------------

    def _attach(self) -> asyncio.AbstractEventLoop:
        """Watch the event descriptor from the running loop (moving from a finished loop if need be)."""
        loop = asyncio.get_running_loop()
        if self._client.closed:
            raise ValueError("I/O operation on a closed videogen.Client")
        if self._loop is not loop:
            if self._ops and self._loop is not None and not self._loop.is_closed():
                raise RuntimeError("this videogen.Client has asynchronous operations running on another event "
                                   "loop; use one client per loop")
            self._stop_reading()
            self._loop = loop
        if not self._reading:
            loop.add_reader(self._fd, self._dispatch)
            self._reading = True
        return loop

    def _stop_reading(self) -> None:
        if self._reading and self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._fd)
        self._reading = False

    def _detach_if_idle(self) -> None:
        if not self._ops:
            self._stop_reading()

    def _dispatch(self) -> None:
        """Reader callback: deliver every pending event (never blocks)."""
        handle = self._client._handle
        if handle is None:
            self._stop_reading()
            return
        self._lib.vg_client_dispatch(handle, 0.0, self._callback, None, ctypes.byref(self._count))
        self._detach_if_idle()

    def _on_event(self, task_handle: int | None, kind: int, code: int, error: int | None,
                  _user_data: int | None) -> int:
        operation = self._ops.get(task_handle or 0)
        if operation is None:
            return 0
        task = operation.task
        try:
            if kind == _cabi.EVENT_DONE:
                del self._ops[task_handle or 0]
                task._refresh()
                self._finish(operation, code, error)
            elif operation.exception is not None:
                return 1
            elif kind == _cabi.EVENT_UPDATE:
                task._refresh()
                if operation.on_progress is not None:
                    operation.on_progress(task._progress("status"))
            elif kind == _cabi.EVENT_TRANSFER:
                if task_handle:
                    task._set_bytes(self._lib.vg_task_bytes_received(task_handle),
                                    self._lib.vg_task_bytes_total(task_handle))
                if operation.on_progress is not None:
                    operation.on_progress(task._progress("download"))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            operation.exception = exc
            return 1
        return 0

    def _finish(self, operation: _Operation, code: int, error: int | None) -> None:
        """Resolve the operation's future from its DONE event (on the loop's thread, or handed to it)."""
        outcome: BaseException | None = operation.exception
        if outcome is None and code != ErrorCode.OK:
            exc = error_from_handle(self._lib, code, error, operation.task.id)
            exc.task = operation.task
            outcome = exc
        future = operation.future

        def resolve() -> None:
            if future.done():
                return
            if outcome is None:
                future.set_result(None)
            else:
                future.set_exception(outcome)

        loop = future.get_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            resolve()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(resolve)

    # -- teardown --------------------------------------------------------------------------------------------------

    def forget(self, task: Task) -> None:
        """``task`` is being closed: fail its operation, if any (its events will be dropped)."""
        handle = task._handle
        operation = self._ops.pop(handle, None) if handle is not None else None
        if operation is None:
            return
        operation.exception = TaskCancelledError("the task was closed during the operation",
                                                 task_id=task.id or None)
        self._finish(operation, ErrorCode.CANCELLED, None)

    def shutdown(self) -> None:
        """The client is being closed: cancel every operation and deliver their DONE events."""
        for operation in list(self._ops.values()):
            if not operation.task.closed:
                try:
                    operation.task.cancel()
                except VideoGenError:
                    pass
        handle = self._client._handle
        if handle is not None:
            deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
            while self._ops and time.monotonic() < deadline:
                self._lib.vg_client_dispatch(handle, 0.1, self._callback, None, ctypes.byref(self._count))
        for handle_value, operation in list(self._ops.items()):
            del self._ops[handle_value]
            operation.exception = operation.exception or TaskCancelledError("the client was closed")
            self._finish(operation, ErrorCode.CANCELLED, None)
        self._stop_reading()
