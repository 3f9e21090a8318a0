"""videogen: one client for video-generation services (the /v1/videos shape, new-api style gateways, ...).

A ctypes binding of ``libvideogen`` (a Swift core behind a stable C ABI) and the ``videogen`` command line::

    import videogen

    with videogen.Client(provider="applerouter", dialect="openai", api_key_env="APPLEROUTER_KEY") as client:
        task = client.generate(model="veo-3.1", prompt="a red fox in the snow", aspect_ratio="16:9", output="fox.mp4",
                               on_progress=print)

Importing the package never loads the native library: it is found and loaded on first use (see
:func:`library_path`). The loopback emulator is a package of its own (``videogen_emulator``, in the repository's
``emulator/`` folder), which this package never imports; ``videogen emulator`` runs it when it is installed.
"""

from __future__ import annotations

__version__ = "0.4.0"

from ._loader import LibraryError  # noqa: E402
from .client import Client  # noqa: E402
from .errors import (  # noqa: E402 - __version__ first, for packaging tools that read it
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
from .idempotency import idempotency_key  # noqa: E402
from .progress import Progress, ProgressCallback  # noqa: E402
from .record_store import DirectoryRecordStore, RecordStore  # noqa: E402
from .state import State  # noqa: E402
from .task import Task  # noqa: E402
from .video_file import VideoFile  # noqa: E402
from .video_page import VideoPage  # noqa: E402
from .webhooks import WebhookVerdict, verify_webhook  # noqa: E402

__all__ = [
    "AuthenticationError", "Client", "ContentPolicyError", "DirectoryRecordStore", "ErrorCode",
    "InvalidArgumentError", "LibraryError", "RecordStore", "WebhookVerdict", "idempotency_key", "verify_webhook",
    "NetworkError", "NotFoundError", "PermissionDeniedError", "Progress", "ProgressCallback", "QuotaExceededError",
    "RateLimitError", "State", "Task", "TaskCancelledError", "TaskFailedError", "TimeoutError", "VideoFile",
    "VideoGenError", "VideoPage", "__version__", "library_path", "library_version",
]


def library_path() -> str:
    """The path of the native library in use (loading it if needed); raises :class:`LibraryError` if none."""
    from ._loader import library
    return library().path


def library_version() -> str:
    """The native library's version string, e.g. ``"0.2.0"`` (loading it if needed)."""
    from ._native import version
    return version()
