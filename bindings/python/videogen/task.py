"""A :class:`Task`: one generation task on a provider, as last seen by this process."""

from __future__ import annotations

import copy
import ctypes
import json
import os
import sys
import threading
import weakref
from typing import Any, Literal

from . import _cabi, _loader
from ._callbacks import UpdateBridge
from ._events import PumpSource
from ._interrupt import cancel_on_interrupt
from ._native import check, new_handle, raise_for
from ._view import TaskView
from .errors import ErrorCode, VideoGenError
from .progress import ProgressCallback
from .state import State
from .video_file import VideoFile


def _deadline(timeout: float | None) -> float:
    """A wait's timeout for the library: None is 0.0 (the library's "the client's wait_timeout"); 0 or less is a
    deadline already passed, which the library can only be given as the smallest positive double (its 0 means the
    client's default); NaN goes through, for the library to refuse."""
    if timeout is None:
        return 0.0
    seconds = float(timeout)
    return sys.float_info.min if seconds <= 0 else seconds


def _free_task(free: Any, handle: int) -> None:
    free(handle)


class Task:
    """One generation task. Made by :meth:`Client.submit`, :meth:`Client.resume` or :meth:`Client.generate`.

    Properties (:attr:`id`, :attr:`state`, :attr:`progress`, ...) show the task as last seen: they never touch the
    network and are safe to read from any thread. :meth:`poll`, :meth:`wait` and :meth:`download` talk to the
    service; one of them runs at a time (another thread starting one meanwhile gets a ``VideoGenError`` with code
    ``BUSY``). :meth:`cancel` may be called from any thread at any time.

    Ctrl-C during :meth:`wait` or :meth:`download` on the main thread stops the call at once: the task is cancelled
    locally (it keeps running on the service: resume it from :meth:`record`) and ``KeyboardInterrupt`` is raised.

    A task owns a native handle: :meth:`close` it (or use ``with``) to free it promptly; a forgotten task is freed
    when garbage-collected. Methods of a closed task raise ``ValueError``; its properties keep their last values.
    """

    def __init__(self, lib: ctypes.CDLL, handle: int, pumps: PumpSource) -> None:
        """Wrap a native task handle (internal: use the :class:`Client` methods). ``pumps`` reaches the client's
        asyncio event pump."""
        self._lib = lib
        self._pumps = pumps
        self._handle: int | None = handle
        self._finalizer = weakref.finalize(self, _free_task, self._lib.vg_task_free, handle)
        self._lock = threading.RLock()
        self._view = TaskView(lib)
        self._view.load(handle)

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Free the native task (cancelling an operation still running on it). Idempotent."""
        handle = self._handle
        if handle is None:
            return
        pump = self._pumps.current
        if pump is not None:
            pump.forget(handle, self.id)
        self._handle = None
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._handle is None

    def __enter__(self) -> Task:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        parts = [self.id or "(no id)", self.state.value]
        if self.progress is not None and not self.state.done:
            parts.append(f"{self.progress}%")
        if self.closed:
            parts.append("closed")
        return f"<videogen.Task {' '.join(parts)}>"

    def _require_handle(self) -> int:
        handle = self._handle
        if handle is None:
            raise ValueError("I/O operation on a closed videogen.Task")
        return handle

    def _begin(self) -> int:
        """Enter a network operation: the task must be open and not busy in another thread."""
        handle = self._require_handle()
        if not self._lock.acquire(blocking=False):
            raise VideoGenError("the task already has an operation in progress in another thread",
                                code=ErrorCode.BUSY, task_id=self.id or None)
        return handle

    # -- the view of the task --------------------------------------------------------------------------------------

    def _freed_at_exit(self, error: ctypes.c_void_p) -> bool:
        """True (and ``error`` freed) when the interpreter's exit freed this task under a wait still running on
        another (daemon) thread: the finalizers ran while the task was open. The wait then returns quietly instead
        of raising into a process that is going away (a download raises: it cannot claim a file)."""
        if self._finalizer.alive or self._handle is None:
            return False
        self._lib.vg_error_free(error)
        return True

    def _bridge(self, on_progress: ProgressCallback | None) -> UpdateBridge:
        """The bridge of one operation: its updates go into this task's view, then to ``on_progress``."""
        return UpdateBridge(self._view, self, on_progress)

    @property
    def id(self) -> str:
        """The task's id on the provider ("" until an asynchronous submit is answered)."""
        return self._view.id

    @property
    def state(self) -> State:
        """The task's state as last seen."""
        return self._view.state

    @property
    def done(self) -> bool:
        """True once the task reached a state it never leaves (succeeded, failed, cancelled, expired)."""
        return self.state.done

    @property
    def progress(self) -> int | None:
        """Progress 0-100 as last seen, or ``None`` when the service does not report it (never invented)."""
        return self._view.progress

    @property
    def queue_position(self) -> int | None:
        """Position in the service's queue (0 = next) as last seen, or ``None`` when unknown."""
        return self._view.queue_position

    @property
    def video_url(self) -> str | None:
        """Where the video will be downloaded from, once succeeded. Signed URLs are secrets of their own."""
        return self._view.document.get("video_url") or None

    @property
    def model(self) -> str | None:
        """The model the task was submitted with, when known."""
        return self._view.document.get("model") or None

    @property
    def provider_status(self) -> str | None:
        """The provider's own word for the state (e.g. ``"in_progress"``)."""
        return self._view.document.get("provider_status") or None

    @property
    def remixed_from(self) -> str | None:
        """The id of the task this one remixes (:meth:`remix`), else ``None``."""
        return self._view.document.get("remixed_from") or None

    @property
    def outputs(self) -> list[str]:
        """Every video the task made, in the service's order, when it made several (``n`` > 1, Vidu's creations,
        OpenRouter's outputs); ``[]`` for a task with one video (:attr:`video_url`). Download one with
        ``download(path, output=i)``."""
        outputs = self._view.document.get("outputs")
        return [url for url in outputs if isinstance(url, str)] if isinstance(outputs, list) else []

    @property
    def usage(self) -> dict[str, Any] | None:
        """What the task cost as the service reports it, under the service's own names (DashScope's
        ``video_duration``, Vidu's ``credits``, OpenRouter's ``cost``), else ``None``."""
        usage = self._view.document.get("usage")
        return dict(usage) if isinstance(usage, dict) else None

    @property
    def error(self) -> VideoGenError | None:
        """Why the task ended unsuccessfully (the exception :meth:`wait` raises for it), else ``None``."""
        error = self._view.error
        if error is not None and error.task is None:
            error.task = self
        return error

    @property
    def file(self) -> VideoFile | None:
        """The last download of the video (path, size, SHA-256), or ``None``."""
        return VideoFile.from_snapshot(self._view.document.get("download"))

    @property
    def bytes_received(self) -> int:
        """Bytes of the video written by the current or last download."""
        return self._view.bytes_received

    @property
    def bytes_total(self) -> int | None:
        """The video's size as announced during the current or last download, or ``None``."""
        return self._view.bytes_total

    def record(self) -> dict[str, Any]:
        """The task's record (its full snapshot): save it, and :meth:`Client.resume` turns it back into a task,
        in this process or another. It holds no secret (but a signed ``video_url`` is one of its own)."""
        handle = self._require_handle()
        if self._lock.acquire(blocking=False):
            try:
                if self._handle == handle:
                    self._view.load(handle)
            finally:
                self._lock.release()
        return copy.deepcopy(self._view.document)

    # -- operations ------------------------------------------------------------------------------------------------

    def poll(self) -> Task:
        """Refresh the task's status once, now. Returns the task; check :attr:`state`.

        Raises :class:`VideoGenError` (a subclass) when the status could not be read.
        """
        handle = self._begin()
        try:
            bridge = self._bridge(None)
            error = ctypes.c_void_p()
            code = self._lib.vg_task_poll_v2(handle, bridge.function, None, ctypes.byref(error))
            check(self._lib, code, error, self.id)
            return self
        finally:
            self._lock.release()

    def wait(self, timeout: float | None = None, on_progress: ProgressCallback | None = None) -> Task:
        """Poll on the client's schedule until the task ends, calling ``on_progress`` on every change.

        Args:
            timeout: deadline in seconds from now (``None``: the client's ``wait_timeout``; 0 or less: already
                passed, so the wait raises :class:`videogen.TimeoutError` at once).
            on_progress: called on this thread with a :class:`Progress` at the start and on every change of
                state, progress or queue position. An exception it raises stops the wait and is re-raised here.

        Returns the task once it succeeded. Raises :class:`TaskFailedError` (or :class:`ContentPolicyError`, ...)
        when it ended otherwise, :class:`videogen.TimeoutError` when the deadline passed (the task is still
        running and can be waited on again), :class:`TaskCancelledError` after :meth:`cancel`, or the error that
        stopped polling.
        """
        handle = self._begin()
        try:
            bridge = self._bridge(on_progress)
            error = ctypes.c_void_p()
            with cancel_on_interrupt(self._cancel_locally):
                code = self._lib.vg_task_wait_v2(handle, _deadline(timeout), bridge.function, None,
                                                 ctypes.byref(error))
            if self._freed_at_exit(error):
                return self
            if bridge.exception is not None:
                self._lib.vg_error_free(error)
                bridge.reraise()
            raise_for(self._lib, code, error, self)
            return self
        finally:
            self._lock.release()

    def download(self, path: str | os.PathLike[str], on_progress: ProgressCallback | None = None, *,
                 variant: Literal["video", "thumbnail", "spritesheet"] = "video", output: int = 0) -> VideoFile:
        """Download the succeeded task's video to ``path`` (overwritten), streaming through ``<path>.part``:
        ``path`` never holds a partial file.

        Args:
            path: the destination file.
            on_progress: called on this thread with a :class:`Progress` (``kind == "download"``) as bytes arrive.
                An exception it raises stops the download (``path`` is not written) and is re-raised here.
            variant: ``"video"``, or another asset of the finished video that the ``openai`` dialect serves:
                ``"thumbnail"`` or ``"spritesheet"`` (images; :class:`VideoGenError` with code ``UNSUPPORTED`` on
                other dialects). The returned :class:`VideoFile` names the variant.
            output: which of the task's videos (:attr:`outputs`, 0-based; 0 is the video): ``ValueError`` for a
                negative index, :class:`VideoGenError` with code ``INVALID_ARGUMENT`` for one the task does not have.
                Only with ``variant="video"``. The returned :class:`VideoFile` names the output.

        A download that fails, is cancelled or is stopped keeps ``<path>.part`` and ``<path>.part.resume`` when
        they can be continued (the server gave an ETag or Last-Modified): the next download of the same task to
        the same path, in any process, fetches only the rest. Delete both files to give up on ``path``. While
        another download (in any process) writes ``path``, this one raises :class:`VideoGenError` with code
        ``BUSY`` at once.

        Returns the :class:`VideoFile` (path, size, SHA-256). Raises :class:`VideoGenError` with code
        ``NOT_READY`` before the task succeeded, or the download's error.
        """
        if isinstance(output, bool) or not isinstance(output, int) or output < 0:
            raise ValueError(f"output must be a non-negative int, not {output!r}")
        if output and variant != "video":
            raise ValueError("output selects one of the task's videos: it cannot be combined with a variant")
        if output:
            _loader.library().require("vg_task_download_output")
        handle = self._begin()
        try:
            bridge = self._bridge(on_progress)
            error = ctypes.c_void_p()
            with cancel_on_interrupt(self._cancel_locally):
                if output:
                    code = self._lib.vg_task_download_output(handle, output, os.fsencode(path),
                                                             bridge.function, None, ctypes.byref(error))
                else:
                    code = self._lib.vg_task_download_v2(handle, str(variant).encode(), os.fsencode(path),
                                                         bridge.function, None, ctypes.byref(error))
            if bridge.exception is not None:
                self._lib.vg_error_free(error)
                bridge.reraise()
            raise_for(self._lib, code, error, self)
            return self._downloaded()
        finally:
            self._lock.release()

    def delete_remote(self) -> None:
        """Delete the task's video and its assets on the service (``openai`` dialect: ``DELETE /v1/videos/{id}``;
        OpenAI's shape deletes completed or failed videos only). The task keeps its last snapshot; a later
        :meth:`poll` raises :class:`NotFoundError`.

        Raises :class:`VideoGenError` with code ``UNSUPPORTED`` for dialects without delete, or the service's error
        (:class:`NotFoundError`; code ``BAD_REQUEST`` for a video still being generated, ...).
        """
        _loader.library().require("vg_task_delete_remote")
        handle = self._begin()
        try:
            error = ctypes.c_void_p()
            raise_for(self._lib, self._lib.vg_task_delete_remote(handle, ctypes.byref(error)), error, self)
        finally:
            self._lock.release()

    def remix(self, prompt: str, *, extra: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> Task:
        """Remake the finished video with a new prompt (``openai`` dialect: ``POST /v1/videos/{id}/remix``): the
        service starts a new task (same model, size and length), returned in its first reported state; wait for
        and download it like any other. Its :attr:`remixed_from` is this task's id.

        Args:
            prompt: what the remix should show.
            extra: provider fields sent verbatim beside the prompt.
            idempotency_key: the request's Idempotency-Key (default: a fresh one), to re-send a remix whose outcome
                is unknown (code ``UNKNOWN_OUTCOME``) without making a second task.

        Raises :class:`VideoGenError` with code ``UNSUPPORTED`` for dialects without remix,
        :class:`InvalidArgumentError` for a bad argument, or the service's error (code ``BAD_REQUEST`` for a
        source that is not completed, ...).
        """
        _loader.library().require("vg_task_remix")
        document: dict[str, Any] = {"prompt": prompt}
        if extra is not None:
            document["extra"] = extra
        if idempotency_key is not None:
            document["idempotency_key"] = idempotency_key
        handle = self._begin()
        try:
            out = ctypes.c_void_p()
            error = ctypes.c_void_p()
            code = self._lib.vg_task_remix(handle, json.dumps(document).encode("utf-8"), ctypes.byref(out),
                                           ctypes.byref(error))
            raise_for(self._lib, code, error, self)
        finally:
            self._lock.release()
        return Task(self._lib, new_handle(out), self._pumps)

    def cancel(self, remote: bool = False) -> None:
        """Stop the operation in progress on this task (it raises :class:`TaskCancelledError` promptly) and any
        later network call on it. Callable from any thread, any number of times; no progress callback runs once it
        has returned. The task keeps running on the service unless ``remote`` is true (where the dialect supports
        remote cancellation): resume it later from :meth:`record`.

        Raises :class:`VideoGenError` with code ``UNSUPPORTED`` when ``remote`` was asked and the dialect cannot
        (local cancellation still happened), or the remote cancel request's error.
        """
        handle = self._require_handle()
        error = ctypes.c_void_p()
        flags = _cabi.CANCEL_REMOTE if remote else _cabi.CANCEL_LOCAL
        check(self._lib, self._lib.vg_task_cancel(handle, flags, ctypes.byref(error)), error, self.id)

    def _cancel_locally(self) -> None:
        handle = self._handle
        if handle is not None:
            self._lib.vg_task_cancel(handle, _cabi.CANCEL_LOCAL, None)

    # -- asyncio ---------------------------------------------------------------------------------------------------

    async def wait_async(self, timeout: float | None = None, on_progress: ProgressCallback | None = None) -> Task:
        """Like :meth:`wait`, without blocking the event loop (the library polls on its own threads and reports
        to the loop through the client's event descriptor). ``on_progress`` runs on the loop's thread.

        Cancelling the awaiting coroutine cancels the task locally (see :meth:`cancel`): resume it from
        :meth:`record` to wait again.
        """
        await self._run_async(on_progress, lambda handle, error: self._lib.vg_task_wait_async(
            handle, _deadline(timeout), error))
        return self

    async def download_async(self, path: str | os.PathLike[str],
                             on_progress: ProgressCallback | None = None) -> VideoFile:
        """Like :meth:`download`, without blocking the event loop; ``on_progress`` runs on the loop's thread."""
        encoded = os.fsencode(path)
        await self._run_async(on_progress, lambda handle, error: self._lib.vg_task_download_async(
            handle, encoded, error))
        return self._downloaded()

    async def _run_async(self, on_progress: ProgressCallback | None, start: Any) -> None:
        """Start an asynchronous operation with ``start(handle, error_out)`` and await its end on the client's
        event pump; its updates go into this task's view."""
        handle = self._begin_async()
        pump = self._pumps.get()
        loop = pump.attach()
        error = ctypes.c_void_p()
        code = start(handle, ctypes.byref(error))
        if code != ErrorCode.OK:
            pump.start_failed()
            raise_for(self._lib, code, error, self)
        self._lib.vg_error_free(error)
        await pump.follow(handle, self._bridge(on_progress), self._cancel_quietly, loop)

    def _cancel_quietly(self) -> None:
        """Cancel locally unless closed (an awaiting coroutine was cancelled, or the client is closing)."""
        if not self.closed:
            self.cancel()

    def _begin_async(self) -> int:
        handle = self._require_handle()
        if self._lock.acquire(blocking=False):  # only to refuse while a blocking call runs in another thread
            self._lock.release()
            return handle
        raise VideoGenError("the task already has an operation in progress in another thread",
                            code=ErrorCode.BUSY, task_id=self.id or None)

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _downloaded(self) -> VideoFile:
        file = self.file
        if file is None:  # the library promises the download in the snapshot after a successful download
            raise VideoGenError("the download finished but the snapshot has no download record",
                                code=ErrorCode.INTERNAL, task_id=self.id or None)
        return file


async def submit_async(lib: ctypes.CDLL, client_handle: int, body: bytes, pumps: PumpSource) -> Task:
    """Start an asynchronous submit of the request ``body`` and await its end (:meth:`Client.submit_async`): the
    task exists at once (no id yet); the submit's DONE update gives it its id and first state."""
    pump = pumps.get()
    loop = pump.attach()
    out = ctypes.c_void_p()
    error = ctypes.c_void_p()
    code = lib.vg_client_submit_async(client_handle, body, ctypes.byref(out), ctypes.byref(error))
    if code != ErrorCode.OK:
        pump.start_failed()
    check(lib, code, error)
    task = Task(lib, new_handle(out), pumps)
    await pump.follow(task._require_handle(), task._bridge(None), task._cancel_quietly, loop)
    return task
