"""The exceptions of videogen: one base class, :class:`VideoGenError`, and a subclass per cause worth catching.

Every error the library reports carries its :class:`ErrorCode` (``vg_code`` in the C header), the message, the
HTTP status of the answer that caused it, the provider's own error code and the retry hint, when known::

    VideoGenError
    ├── AuthenticationError          bad or missing API key (HTTP 401)
    │   └── PermissionDeniedError    the key lacks permission (HTTP 403)
    ├── RateLimitError               too many requests (HTTP 429); see ``retry_after``
    ├── QuotaExceededError           out of balance, credits or quota
    ├── NotFoundError                unknown task or resource
    ├── ContentPolicyError           refused for its content (at submit, or as the task's end)
    ├── TaskFailedError              the task ended failed, cancelled or expired on the service
    ├── TimeoutError                 a request stalled, or a wait's deadline passed (also a builtin TimeoutError)
    ├── TaskCancelledError           ``Task.cancel()`` stopped the operation
    ├── NetworkError                 connection refused, reset or lost (also a builtin ConnectionError)
    └── InvalidArgumentError         a bad configuration, request or record (also a builtin ValueError)

Codes without a subclass of their own (e.g. :attr:`ErrorCode.SERVER`, :attr:`ErrorCode.UNKNOWN_OUTCOME`) raise
:class:`VideoGenError` itself; test ``error.code`` to tell them apart.
"""

from __future__ import annotations

import builtins
import enum
from typing import Any


class ErrorCode(enum.IntEnum):
    """``vg_code``: the result of every fallible C call. Values are stable and only ever appended."""

    OK = 0
    INVALID_ARGUMENT = 1
    INVALID_JSON = 2
    UNSUPPORTED = 3
    INVALID_HANDLE = 4
    INSECURE = 5
    AUTH = 6
    PERMISSION = 7
    NOT_FOUND = 8
    BAD_REQUEST = 9
    RATE_LIMITED = 10
    QUOTA = 11
    CONTENT_POLICY = 12
    SERVER = 13
    NETWORK = 14
    TIMEOUT = 15
    DEADLINE = 16
    CANCELLED = 17
    ABORTED_BY_CALLBACK = 18
    TASK_FAILED = 19
    NOT_READY = 20
    PROTOCOL = 21
    TOO_LARGE = 22
    IO = 23
    UNKNOWN_OUTCOME = 24
    INTERNAL = 25
    BUSY = 26
    NOMEM = 27

    @classmethod
    def of(cls, value: int) -> ErrorCode | int:
        """The member for ``value``, or the plain int for a code newer than this binding."""
        try:
            return cls(value)
        except ValueError:
            return value


class VideoGenError(Exception):
    """An error reported by libvideogen.

    Attributes:
        code: the :class:`ErrorCode` (a plain ``int`` for a code newer than this binding).
        message: what went wrong, naming the cause; never contains the API key.
        http_status: the HTTP status of the answer that caused the error, or ``None``.
        provider_code: the provider's own error code (e.g. ``"invalid_api_key"``), or ``None``.
        retry_after: seconds the service asked to wait before retrying, or ``None``.
        task_id: the id of the task the error is about, when there is one.
        task: the :class:`~videogen.Task` the error is about, when the binding has one (e.g. a failed
            :meth:`~videogen.Client.generate`): its ``record()`` lets the work be resumed.
    """

    #: The code a subclass stands for when raised without one.
    default_code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str = "", *, code: ErrorCode | int | None = None, http_status: int | None = None,
                 provider_code: str | None = None, retry_after: float | None = None,
                 task_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code: ErrorCode | int = self.default_code if code is None else ErrorCode.of(code)
        self.http_status = http_status
        self.provider_code = provider_code
        self.retry_after = retry_after
        self.task_id = task_id
        self.task: Any = None  # a videogen.Task or None (typed loosely: this module is below the task module)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        code = self.code.name if isinstance(self.code, ErrorCode) else self.code
        fields = [repr(self.message), f"code={code}"]
        for name in ("http_status", "provider_code", "retry_after", "task_id"):
            value = getattr(self, name)
            if value is not None:
                fields.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the attributes through pickling (multiprocessing, concurrent.futures).
        state = {k: v for k, v in self.__dict__.items() if k != "task"}  # a Task owns a native handle
        return (_rebuild, (type(self), self.message, state))


def _rebuild(cls: type[VideoGenError], message: str, state: dict[str, Any]) -> VideoGenError:
    error = cls(message)
    error.__dict__.update(state)
    return error


class AuthenticationError(VideoGenError):
    """The service rejected the credentials (HTTP 401), or no API key was available."""

    default_code = ErrorCode.AUTH


class PermissionDeniedError(AuthenticationError):
    """The credentials lack permission for this operation (HTTP 403)."""

    default_code = ErrorCode.PERMISSION


class RateLimitError(VideoGenError):
    """Too many requests (HTTP 429). ``retry_after`` says how long the service asked to wait, when it did."""

    default_code = ErrorCode.RATE_LIMITED


class QuotaExceededError(VideoGenError):
    """Out of balance, credits or quota."""

    default_code = ErrorCode.QUOTA


class NotFoundError(VideoGenError):
    """Unknown task or resource (HTTP 404, or a provider's "task does not exist")."""

    default_code = ErrorCode.NOT_FOUND


class ContentPolicyError(VideoGenError):
    """The service refused the request, or ended the task, for its content."""

    default_code = ErrorCode.CONTENT_POLICY


class TaskFailedError(VideoGenError):
    """The task ended failed, cancelled or expired on the service; ``message`` is the provider's reason."""

    default_code = ErrorCode.TASK_FAILED


class TimeoutError(VideoGenError, builtins.TimeoutError):  # noqa: A001 - the asyncio / concurrent.futures idiom
    """A request or download stalled past its timeout (:attr:`ErrorCode.TIMEOUT`), or a wait's deadline passed
    while the task was still running on the service (:attr:`ErrorCode.DEADLINE`: it can be waited on again)."""

    default_code = ErrorCode.TIMEOUT


class TaskCancelledError(VideoGenError):
    """The operation stopped because :meth:`videogen.Task.cancel` was called."""

    default_code = ErrorCode.CANCELLED


class NetworkError(VideoGenError, builtins.ConnectionError):
    """Connection refused, reset or lost, or the host name did not resolve."""

    default_code = ErrorCode.NETWORK


class InvalidArgumentError(VideoGenError, builtins.ValueError):
    """A bad value in a configuration, request or record (the message names the field)."""

    default_code = ErrorCode.INVALID_ARGUMENT


#: The class raised for each code; codes not listed raise :class:`VideoGenError`.
ERROR_CLASSES: dict[int, type[VideoGenError]] = {
    ErrorCode.AUTH: AuthenticationError,
    ErrorCode.PERMISSION: PermissionDeniedError,
    ErrorCode.RATE_LIMITED: RateLimitError,
    ErrorCode.QUOTA: QuotaExceededError,
    ErrorCode.NOT_FOUND: NotFoundError,
    ErrorCode.CONTENT_POLICY: ContentPolicyError,
    ErrorCode.TASK_FAILED: TaskFailedError,
    ErrorCode.TIMEOUT: TimeoutError,
    ErrorCode.DEADLINE: TimeoutError,
    ErrorCode.CANCELLED: TaskCancelledError,
    ErrorCode.NETWORK: NetworkError,
    ErrorCode.INVALID_ARGUMENT: InvalidArgumentError,
    ErrorCode.INVALID_JSON: InvalidArgumentError,
}


def error_for(code: int, message: str, **details: Any) -> VideoGenError:
    """A new exception of the class that stands for ``code`` (see :data:`ERROR_CLASSES`)."""
    cls = ERROR_CLASSES.get(code, VideoGenError)
    return cls(message, code=code, **details)
