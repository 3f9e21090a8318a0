"""What a progress callback receives: one :class:`Progress` per change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .state import State


@dataclass(frozen=True)
class Progress:
    """One progress report of a wait or a download.

    ``kind`` is ``"status"`` while the task is generated (state, progress or queue position changed, and once at
    the start of a wait) and ``"download"`` while its video is downloaded (bytes arrived).
    """

    task: Any
    """The :class:`~videogen.Task` reported on (typed loosely so that this module stays below the task module)."""
    kind: Literal["status", "download"]
    """What changed: the task's status, or the download's byte count."""
    state: State
    """The task's state."""
    percent: int | None
    """Generation progress, 0-100, or ``None`` when the service does not say (never invented)."""
    queue_position: int | None
    """Position in the service's queue (0 = next), or ``None`` when unknown."""
    bytes_received: int = 0
    """Bytes of the video written so far (downloads)."""
    bytes_total: int | None = None
    """The video's size in bytes when the server announced it (downloads)."""

    def __str__(self) -> str:
        if self.kind == "download":
            if self.bytes_total:
                return f"downloading {self.bytes_received}/{self.bytes_total} bytes"
            return f"downloading {self.bytes_received} bytes"
        text = self.state.value
        if self.percent is not None:
            text += f" {self.percent}%"
        if self.queue_position is not None:
            text += f" (queue position {self.queue_position})"
        return text


ProgressCallback = Callable[[Progress], object]
"""A progress callback: called with each :class:`Progress`; its return value is ignored, and an exception raised
in it stops the operation and is re-raised to the caller."""
