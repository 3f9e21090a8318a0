"""Exit statuses of the command line and the one-line message that names each failure's cause."""

from __future__ import annotations

import enum

from .._loader import LibraryError
from ..errors import (
    AuthenticationError,
    ContentPolicyError,
    ErrorCode,
    InvalidArgumentError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    TaskCancelledError,
    TaskFailedError,
    TimeoutError,
    VideoGenError,
)


class ExitStatus(enum.IntEnum):
    """What ``videogen`` exits with."""

    OK = 0
    """Success."""
    ERROR = 1
    """Any other failure (service error, local I/O, protocol, missing library, ...)."""
    USAGE = 2
    """Bad command line, or a configuration or request the library refused."""
    AUTH = 3
    """The service rejected the key, or no key was available."""
    RATE_LIMITED = 4
    """Rate limited, or out of quota."""
    TASK_FAILED = 5
    """The task ended without a video (failed, refused for its content, cancelled or expired on the service)."""
    TIMEOUT = 6
    """A request stalled, or the wait's deadline passed (the task may still be running)."""
    NETWORK = 7
    """The service could not be reached."""
    NOT_FOUND = 8
    """The task is unknown to the service."""
    INTERRUPTED = 130
    """Ctrl-C (the task record is printed so the work can be resumed)."""


def exit_status(error: BaseException) -> ExitStatus:
    """The exit status for an exception that ended a command."""
    if isinstance(error, AuthenticationError):
        return ExitStatus.AUTH
    if isinstance(error, (RateLimitError, QuotaExceededError)):
        return ExitStatus.RATE_LIMITED
    if isinstance(error, (TaskFailedError, ContentPolicyError)):
        return ExitStatus.TASK_FAILED
    if isinstance(error, TimeoutError):
        return ExitStatus.TIMEOUT
    if isinstance(error, NetworkError):
        return ExitStatus.NETWORK
    if isinstance(error, NotFoundError):
        return ExitStatus.NOT_FOUND
    if isinstance(error, InvalidArgumentError):
        return ExitStatus.USAGE
    if isinstance(error, VideoGenError) and error.code == ErrorCode.UNSUPPORTED:
        return ExitStatus.USAGE
    return ExitStatus.ERROR


def describe(error: BaseException) -> str:
    """One line naming the cause, e.g. ``"task failed: the prompt was refused (content_policy_violation)"``."""
    if isinstance(error, LibraryError):
        return str(error)
    if not isinstance(error, VideoGenError):
        return f"{type(error).__name__}: {error}"
    message = " ".join(error.message.split()) or "no details"
    if isinstance(error, PermissionDeniedError):
        cause = "permission denied"
    elif isinstance(error, AuthenticationError):
        cause = "authentication failed"
    elif isinstance(error, RateLimitError):
        cause = "rate limited"
        if error.retry_after is not None:
            cause += f" (retry after {error.retry_after:g} s)"
    elif isinstance(error, QuotaExceededError):
        cause = "quota exceeded"
    elif isinstance(error, ContentPolicyError):
        cause = "refused by the content policy"
    elif isinstance(error, TaskFailedError):
        cause = "task failed"
    elif isinstance(error, TimeoutError):
        cause = "deadline passed (the task is still running)" if error.code == ErrorCode.DEADLINE else "timed out"
    elif isinstance(error, TaskCancelledError):
        cause = "cancelled"
    elif isinstance(error, NetworkError):
        cause = "network error"
    elif isinstance(error, NotFoundError):
        cause = "not found"
    elif isinstance(error, InvalidArgumentError):
        cause = "invalid argument"
    else:
        code = error.code
        cause = code.name.lower().replace("_", " ") if isinstance(code, ErrorCode) else f"error {code}"
    details = []
    if error.provider_code and error.provider_code not in message:
        details.append(error.provider_code)
    if error.http_status:
        details.append(f"HTTP {error.http_status}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{cause}: {message}{suffix}"
