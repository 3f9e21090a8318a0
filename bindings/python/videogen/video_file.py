"""What a finished download left on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class VideoFile:
    """A downloaded video (or another asset of it: see :attr:`variant`): where it is, its size and its SHA-256, as
    the library measured them while streaming."""

    path: Path
    """The file."""
    size: int
    """Its size in bytes."""
    sha256: str
    """Its SHA-256, lowercase hex."""
    variant: str = "video"
    """What was downloaded: ``"video"``, or ``"thumbnail"`` / ``"spritesheet"`` (``Task.download(variant=...)``)."""
    output: int = 0
    """Which of the task's videos was downloaded (``Task.download(output=...)``); 0 for the video."""

    @classmethod
    def from_snapshot(cls, download: Any) -> VideoFile | None:
        """The snapshot's ``download`` object as a :class:`VideoFile` (``None`` when absent)."""
        if not isinstance(download, dict) or not isinstance(download.get("path"), str):
            return None
        return cls(Path(download["path"]), int(download.get("bytes") or 0), str(download.get("sha256") or ""),
                   str(download.get("variant") or "video"), int(download.get("output") or 0))
