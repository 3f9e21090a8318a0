"""asyncio support: one event pump per client, no thread per task.

The library runs asynchronous operations on its own event loop and queues what they report as updates on the
client. The pump watches the client's event descriptor with ``loop.add_reader`` and, when it is readable, calls
``vg_client_dispatch_v2`` on the loop's thread: each update goes to the :class:`~videogen._callbacks.UpdateBridge`
of its operation (the task's view takes its values; the progress callable is called), and each operation's DONE
resolves the future its coroutine awaits.

The pump knows tasks only through what an operation is started with (a handle, a bridge, a way to cancel), so it
imports neither the task nor the client module.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import _cabi, _loader
from ._callbacks import UpdateBridge
from ._native import error_from_handle
from .errors import ErrorCode, TaskCancelledError, VideoGenError, error_for

#: How long :meth:`EventPump.shutdown` waits for cancelled operations to report their end.
SHUTDOWN_GRACE_SECONDS = 5.0


@dataclass(eq=False)
class _Operation:
    """One asynchronous operation in flight: its task's bridge, how to cancel it, the future to resolve."""

    bridge: UpdateBridge
    cancel: Callable[[], None]
    future: asyncio.Future[None]
    exception: BaseException | None = field(default=None)


class EventPump:
    """Routes one client's updates to the bridges and futures of its operations (see the module docstring).

    Args:
        lib: the loaded library.
        client_handle: returns the client's native handle, or ``None`` once the client is closed.
    """

    def __init__(self, lib: ctypes.CDLL, client_handle: Callable[[], int | None]) -> None:
        library = _loader.library()
        if not library.has_async:
            raise VideoGenError(f"{library.path} has no asynchronous calls (vg_client_dispatch); rebuild it",
                                code=ErrorCode.UNSUPPORTED)
        self._lib = lib
        self._client_handle = client_handle
        handle = client_handle()
        if handle is None:
            raise ValueError("I/O operation on a closed videogen.Client")
        fd = ctypes.c_int(-1)
        code = self._lib.vg_client_event_fd(handle, ctypes.byref(fd))
        if code != ErrorCode.OK:
            raise error_for(code, "cannot get the client's event descriptor")
        self._fd = fd.value
        self._ops: dict[int, _Operation] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reading = False
        # Kept for the pump's whole life: C holds this pointer during every dispatch.
        self._callback = _cabi.UPDATE_FN(self._on_update)
        self._count = ctypes.c_size_t()

    # -- operations ------------------------------------------------------------------------------------------------

    def attach(self) -> asyncio.AbstractEventLoop:
        """Watch the event descriptor from the running loop (moving from a finished loop if need be); call it before
        starting an operation, so that its updates are read."""
        loop = asyncio.get_running_loop()
        if self._client_handle() is None:
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

    def start_failed(self) -> None:
        """An operation could not be started (after :meth:`attach`): stop watching if nothing else runs."""
        self._detach_if_idle()

    async def follow(self, handle: int, bridge: UpdateBridge, cancel: Callable[[], None],
                     loop: asyncio.AbstractEventLoop) -> None:
        """Await the end of the operation just started on the task ``handle``; its updates go to ``bridge``. Raises
        the operation's error (with ``bridge.task`` attached), or the progress callable's exception."""
        operation = _Operation(bridge, cancel, loop.create_future())
        self._ops[handle] = operation
        try:
            await operation.future
        except asyncio.CancelledError:
            # The awaiting coroutine was cancelled: stop the native operation too. Its DONE still comes (every
            # started operation ends with exactly one) and unregisters it.
            try:
                cancel()
            except VideoGenError:
                pass
            raise

    # -- the loop side ---------------------------------------------------------------------------------------------

    def _stop_reading(self) -> None:
        if self._reading and self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._fd)
        self._reading = False

    def _detach_if_idle(self) -> None:
        if not self._ops:
            self._stop_reading()

    def _dispatch(self) -> None:
        """Reader callback: deliver every pending update (never blocks)."""
        handle = self._client_handle()
        if handle is None:
            self._stop_reading()
            return
        self._lib.vg_client_dispatch_v2(handle, 0.0, self._callback, None, ctypes.byref(self._count))
        self._detach_if_idle()

    def _on_update(self, task_handle: int | None, pointer: Any, _user_data: int | None) -> int:
        operation = self._ops.get(task_handle or 0)
        if operation is None:
            return 0
        update = pointer.contents
        answer = operation.bridge.handle(update)
        if update.kind == _cabi.EVENT_DONE:
            del self._ops[task_handle or 0]
            self._finish(operation, update.code, update.error)
        return answer

    def _finish(self, operation: _Operation, code: int, error: int | None) -> None:
        """Resolve the operation's future from its DONE (on the loop's thread, or handed to it)."""
        outcome: BaseException | None = operation.exception or operation.bridge.exception
        operation.bridge.exception = None
        if outcome is None and code != ErrorCode.OK:
            task = operation.bridge.task
            exc = error_from_handle(self._lib, code, error, operation.bridge.view.id)
            exc.task = task
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

    def forget(self, handle: int, task_id: str) -> None:
        """The task ``handle`` is being closed: fail its operation, if any (its updates will be dropped)."""
        operation = self._ops.pop(handle, None)
        if operation is None:
            return
        operation.exception = TaskCancelledError("the task was closed during the operation", task_id=task_id or None)
        self._finish(operation, ErrorCode.CANCELLED, None)

    def shutdown(self) -> None:
        """The client is being closed: cancel every operation and deliver their DONE updates."""
        for operation in list(self._ops.values()):
            try:
                operation.cancel()
            except VideoGenError:
                pass
        handle = self._client_handle()
        if handle is not None:
            deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
            while self._ops and time.monotonic() < deadline:
                self._lib.vg_client_dispatch_v2(handle, 0.1, self._callback, None, ctypes.byref(self._count))
        for handle_value, operation in list(self._ops.items()):
            del self._ops[handle_value]
            operation.exception = operation.exception or TaskCancelledError("the client was closed")
            self._finish(operation, ErrorCode.CANCELLED, None)
        self._stop_reading()


class PumpSource:
    """A client's event pump, made on first use (thread-safe). Tasks hold this, not the client, to reach the pump.

    Args:
        lib: the loaded library.
        client_handle: returns the client's native handle, or ``None`` once the client is closed or gone.
    """

    def __init__(self, lib: ctypes.CDLL, client_handle: Callable[[], int | None]) -> None:
        self._lib = lib
        self._client_handle = client_handle
        self._pump: EventPump | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> EventPump | None:
        """The pump, if one was made."""
        return self._pump

    def get(self) -> EventPump:
        """The pump, made now if needed (raises ``ValueError`` once the client is closed)."""
        with self._lock:
            if self._pump is None:
                self._pump = EventPump(self._lib, self._client_handle)
            return self._pump

