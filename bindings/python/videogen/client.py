"""The :class:`Client`: one provider configuration, the entry point of the binding."""

from __future__ import annotations

import ctypes
import json
import os
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, Unpack

from . import _cabi, _loader
from ._events import PumpSource
from ._native import check, new_handle, take_string
from .config import ClientOptions, config_document
from .errors import InvalidArgumentError, VideoGenError
from .idempotency import idempotency_key
from .progress import ProgressCallback
from .record_store import RecordStore
from .request import RequestFields, dumps, inline_images, request_document, split_images
from .task import Task, submit_async
from .video_page import VideoPage


def _free_client(free: Any, handle: int) -> None:
    free(handle)


class Client:
    """A client of one video-generation service.

    Example::

        import videogen

        with videogen.Client(provider="applerouter", dialect="openai", api_key_env="APPLEROUTER_KEY") as client:
            task = client.generate(model="veo-3.1", prompt="a red fox in the snow", aspect_ratio="16:9",
                                   output="fox.mp4", on_progress=print)
            print(task.file.path, task.file.sha256)

    Args:
        provider: a provider preset name, e.g. ``"openai"``, ``"applerouter"``, ``"routerone"`` (fills the dialect,
            base URL and the service's defaults; ``dialect`` and ``base_url`` override them).
        dialect: the wire dialect: ``"openai"``, ``"unified"``, ``"kling"``, ``"routerone"``, ``"chat"``,
            ``"kling_official"``, ``"fal"``, ``"replicate"`` or ``"gemini_interactions"`` (among others).
        base_url: the service's root URL (https; plain http only to loopback unless ``allow_insecure_http``).
        api_key: the API key itself. Prefer ``api_key_env``: the key then never passes through your code.
        api_key_env: the environment variable holding the key (default ``VIDEOGEN_API_KEY`` when neither this
            nor ``api_key`` is given). It is read once, here.
        **options: the rest of the library's configuration (:class:`~videogen.config.ClientOptions`):
            ``request_timeout``, ``wait_timeout``, ``stall_timeout``, ``poll={...}``, ``retry={...}``, ...

    The configuration is checked here, completely, without network traffic: a bad one raises
    :class:`InvalidArgumentError` (or :class:`AuthenticationError` when no key is available).

    A client is thread-safe. It owns a native handle: :meth:`close` it (or use ``with``); tasks it made stay usable
    after it is closed, except for their asynchronous methods.
    """

    def __init__(self, *, provider: str | None = None, dialect: str | None = None, base_url: str | None = None,
                 api_key: str | None = None, api_key_env: str | None = None,
                 **options: Unpack[ClientOptions]) -> None:
        self._lib = _loader.lib()
        self._handle: int | None = None
        self._pumps = PumpSource(self._lib, _handle_reader(self))
        self.provider = provider
        self.dialect = dialect
        self.base_url = base_url
        document = config_document(provider=provider, dialect=dialect, base_url=base_url, api_key=api_key,
                                   api_key_env=api_key_env, options=options)
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        code = self._lib.vg_client_create(dumps(document), ctypes.byref(out), ctypes.byref(error))
        del document
        check(self._lib, code, error)
        handle = new_handle(out)
        self._handle = handle
        self._finalizer = weakref.finalize(self, _free_client, self._lib.vg_client_free, handle)

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Free the native client. Idempotent. Asynchronous operations still running are cancelled first."""
        if self._handle is None:
            return
        pump = self._pumps.current
        if pump is not None:
            pump.shutdown()
        self._handle = None
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._handle is None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        fields = [f"{name}={value!r}" for name, value in
                  (("provider", self.provider), ("dialect", self.dialect), ("base_url", self.base_url))
                  if value is not None]
        if self.closed:
            fields.append("closed")
        return f"<videogen.Client {' '.join(fields)}>"

    def _require_handle(self) -> int:
        handle = self._handle
        if handle is None:
            raise ValueError("I/O operation on a closed videogen.Client")
        return handle

    # -- tasks -----------------------------------------------------------------------------------------------------

    def submit(self, *, model: str, prompt: str, **fields: Unpack[RequestFields]) -> Task:
        """Submit a generation request and return its :class:`Task` in its first reported state.

        Keyword arguments mirror the library's request (:class:`~videogen.request.RequestFields`): ``duration``,
        ``size``, ``image`` (a path, a URL or the image's bytes), ``aspect_ratio``, ``negative_prompt``,
        ``extra={...}``, ... The request is validated before any network traffic (a bad or unsupported field
        raises, naming it). A submit is retried only when it provably never reached the service;
        :class:`VideoGenError` with code ``UNKNOWN_OUTCOME`` says it may have.
        """
        handle = self._require_handle()
        document = request_document(model, prompt, fields)
        images = split_images(document)
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        if images:
            # The bytes objects stay referenced by `images` for the whole call; the library copies them.
            array = (_cabi.Image * len(images))(*(
                _cabi.Image(field.encode(), ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p), len(data), None)
                for field, data in images))
            code = self._lib.vg_client_submit_images(handle, dumps(document), array, len(images),
                                                     ctypes.byref(out), ctypes.byref(error))
        else:
            code = self._lib.vg_client_submit(handle, dumps(document), ctypes.byref(out), ctypes.byref(error))
        check(self._lib, code, error)
        return Task(self._lib, new_handle(out), self._pumps)

    def submit_once(self, job_id: str, store: RecordStore, *, model: str, prompt: str, scope: str = "",
                    **fields: Unpack[RequestFields]) -> Task:
        """Submit the request of your job ``job_id`` at most once across crashes, retries and machines, keeping its
        record in ``store`` (a :class:`~videogen.RecordStore`: Redis, a database, a directory).

        - A job whose entry holds a record is resumed from it (:meth:`resume`): nothing is sent.
        - Otherwise the entry is saved with the job's ``idempotency_key`` (:func:`~videogen.idempotency_key` of
          ``job_id`` and ``scope``, or the one an earlier attempt saved) and ``record: None`` *before* the submit is
          sent, then with the task's record as soon as the submit returns. A job found in between (its process
          died, or the submit raised ``ErrorCode.UNKNOWN_OUTCOME``) is sent again with the same key: a service that
          honours ``Idempotency-Key`` answers with the task of the first attempt instead of making a second.

        Members of the entry other than ``job_id``, ``idempotency_key`` and ``record`` are kept. Save the task's
        later records yourself (``store.save(job_id, dict(store.load(job_id), record=task.record()))``) if you want
        waits to resume from the latest state; the first record is enough to wait and download. Two processes
        running the same job at the same moment both send (with one key): run each job in one place at a time, as a
        task queue does. ``idempotency_key`` cannot be given here (it is the job's).
        """
        if "idempotency_key" in fields:
            raise TypeError("submit_once derives the idempotency_key from job_id; do not pass one")
        entry = dict(store.load(job_id) or {})
        record = entry.get("record")
        if record:
            return self.resume(record)
        key = entry.get("idempotency_key") or idempotency_key(job_id, scope)
        entry.update(job_id=job_id, idempotency_key=key, record=None)
        store.save(job_id, entry)
        task = self.submit(model=model, prompt=prompt, idempotency_key=key, **fields)
        entry["record"] = task.record()
        store.save(job_id, entry)
        return task

    def resume(self, record: Mapping[str, Any] | str | bytes) -> Task:
        """Turn a record (from :meth:`Task.record`, possibly saved by another process) back into a live
        :class:`Task`, to go on waiting or downloading. The record's dialect and base URL must be this client's.
        No network traffic happens here (call :meth:`Task.poll` for a fresh status)."""
        handle = self._require_handle()
        if isinstance(record, Mapping):
            text = dumps(record)
        elif isinstance(record, str):
            text = record.encode("utf-8")
        elif isinstance(record, (bytes, bytearray)):
            text = bytes(record)
        else:
            raise TypeError(f"record must be a mapping or a JSON string, not {type(record).__name__}")
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(self._lib, self._lib.vg_client_resume(handle, text, ctypes.byref(out), ctypes.byref(error)), error)
        return Task(self._lib, new_handle(out), self._pumps)

    def retrieve(self, task_id: str) -> Task:
        """The task with this id on the service, polled once. Needs the client's ``dialect`` and ``base_url``
        (given to the constructor); use :meth:`resume` with a saved record otherwise."""
        if not task_id:
            raise InvalidArgumentError("task_id must not be empty")
        if not (self.dialect and self.base_url):
            raise InvalidArgumentError("retrieve() needs a client made with dialect= and base_url=; "
                                       "resume the task from its record instead")
        task = self.resume(minimal_record(task_id, self.dialect, self.base_url))
        try:
            return task.poll()
        except BaseException:
            task.close()
            raise

    def generate(self, *, model: str, prompt: str, output: str | os.PathLike[str],
                 on_progress: ProgressCallback | None = None, timeout: float | None = None,
                 **fields: Unpack[RequestFields]) -> Task:
        """Submit, wait until the task succeeds, and download its video to ``output``: the main job in one call.

        ``on_progress`` gets every :class:`~videogen.Progress` of the wait (``kind == "status"``) and of the
        download (``kind == "download"``); ``timeout`` is the wait's deadline (default: the client's
        ``wait_timeout``). Returns the finished :class:`Task` (``task.file`` is the video). A failure after the
        submit carries the task in ``error.task``, so the work can be resumed from ``error.task.record()``.
        """
        task = self.submit(model=model, prompt=prompt, **fields)
        try:
            task.wait(timeout=timeout, on_progress=on_progress)
            task.download(output, on_progress=on_progress)
        except VideoGenError as exc:
            exc.task = task
            raise
        return task

    # -- the videos the service keeps --------------------------------------------------------------------------------

    def list_tasks(self, *, after: str | None = None, limit: int | None = None,
                   order: Literal["asc", "desc"] | None = None) -> VideoPage:
        """One page of the videos the service keeps (``openai`` dialect: ``GET /v1/videos``), as records of this
        client (:meth:`resume` one for a :class:`Task`).

        Args:
            after: the ``last_id`` of the previous page: this page starts after that video.
            limit: at most this many videos, 1 to 100 (default: the service's, 20 on OpenAI's shape).
            order: ``"asc"`` (oldest first) or ``"desc"`` (newest first, the service's default).

        Raises :class:`VideoGenError` with code ``UNSUPPORTED`` for dialects without a list,
        :class:`InvalidArgumentError` for a bad argument, or the service's error.
        """
        handle = self._require_handle()
        _loader.library().require("vg_client_list_tasks")
        query = {name: value for name, value in (("after", after), ("limit", limit), ("order", order))
                 if value is not None}
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        code = self._lib.vg_client_list_tasks(handle, dumps(query), ctypes.byref(out), ctypes.byref(error))
        check(self._lib, code, error)
        return VideoPage.from_document(json.loads(take_string(self._lib, out)))

    def iter_tasks(self, *, order: Literal["asc", "desc"] | None = None, page_size: int | None = None,
                   after: str | None = None) -> Iterator[dict[str, Any]]:
        """Every video the service keeps, page after page (see :meth:`list_tasks`), as records. Each page is
        fetched when the previous one is used up."""
        cursor = after
        while True:
            page = self.list_tasks(after=cursor, limit=page_size, order=order)
            yield from page.records
            if not page.has_more or not page.last_id:
                return
            cursor = page.last_id

    # -- asyncio ---------------------------------------------------------------------------------------------------

    async def submit_async(self, *, model: str, prompt: str, **fields: Unpack[RequestFields]) -> Task:
        """Like :meth:`submit`, without blocking the event loop (images given as bytes travel as ``data:`` URIs)."""
        handle = self._require_handle()
        body = dumps(inline_images(request_document(model, prompt, fields)))
        return await submit_async(self._lib, handle, body, self._pumps)

    async def generate_async(self, *, model: str, prompt: str, output: str | os.PathLike[str],
                             on_progress: ProgressCallback | None = None, timeout: float | None = None,
                             **fields: Unpack[RequestFields]) -> Task:
        """Like :meth:`generate`, without blocking the event loop: hundreds can run at once on one loop
        (``asyncio.gather``), with no thread per task. ``on_progress`` runs on the loop's thread."""
        task = await self.submit_async(model=model, prompt=prompt, **fields)
        try:
            await task.wait_async(timeout=timeout, on_progress=on_progress)
            await task.download_async(output, on_progress=on_progress)
        except VideoGenError as exc:
            exc.task = task
            raise
        return task


    # -- webhooks ----------------------------------------------------------------------------------------------

    def apply_webhook(self, verifier: Mapping[str, Any], *, headers: Any, body: bytes, method: str = "POST",
                      target: str = "/") -> Any:
        """Verify a provider's callback and apply it to the task it names: this client's waits on that task take it
        as an update and end when it says the task ended (a hint, such as OpenAI's ``video.completed``, makes them
        poll at once). Returns a :class:`~videogen.webhooks.WebhookVerdict`; a refusal is a verdict, not an
        exception. Thread-safe: call it from your HTTP server's thread. See :mod:`videogen.webhooks`."""
        from .webhooks import _call
        handle = self._require_handle()
        return _call(self._lib.vg_client_webhook_apply, (handle,), verifier, method, target, headers, body)


def minimal_record(task_id: str, dialect: str, base_url: str) -> dict[str, Any]:
    """The smallest record :meth:`Client.resume` accepts for a task known only by its id."""
    return {"record_version": 1, "id": task_id, "dialect": dialect, "base_url": base_url, "state": "queued"}


def _handle_reader(client: Client) -> Callable[[], int | None]:
    """A function returning the client's native handle, or ``None`` once it is closed or collected (held weakly, so
    that the event pump and the tasks do not keep the client alive)."""
    reference = weakref.ref(client)

    def read() -> int | None:
        target = reference()
        return None if target is None else target._handle

    return read
