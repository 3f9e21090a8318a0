"""Progress display of the command line: a bar on a terminal, a plain line per change otherwise."""

from __future__ import annotations

import shutil
from typing import TextIO

from ..progress import Progress


def human_bytes(count: float) -> str:
    """``1536`` -> ``"1.5 KiB"``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"  # pragma: no cover - loop always returns


class ProgressDisplay:
    """Shows :class:`~videogen.Progress` reports on ``stream`` (stderr: stdout is kept for results).

    On a terminal it redraws one line (``\\r``) with a bar; otherwise it writes one line per change of the task's
    state, progress or queue position, and one line when a download completes.
    """

    def __init__(self, stream: TextIO, interactive: bool | None = None) -> None:
        self.stream = stream
        self.interactive = stream.isatty() if interactive is None else interactive
        self._last_line = ""
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        """Report one :class:`~videogen.Progress` (usable as ``on_progress``)."""
        if progress.kind == "download":
            total = progress.bytes_total
            fraction = progress.bytes_received / total if total else None
            text = f"downloading {human_bytes(progress.bytes_received)}"
            if total:
                text += f" of {human_bytes(total)}"
            finished = total is not None and progress.bytes_received >= total
            self._show(text, text, fraction, plain=finished)
        else:
            fraction = None if progress.percent is None else progress.percent / 100
            label = progress.state.value
            if progress.queue_position is not None:
                label += f" (queue position {progress.queue_position})"
            self._show(str(progress), label if fraction is not None else str(progress), fraction, plain=True)

    def _show(self, text: str, label: str, fraction: float | None, plain: bool) -> None:
        if not self.interactive:
            if plain and text != self._last_line:
                self.stream.write(text + "\n")
                self.stream.flush()
                self._last_line = text
            return
        width = max(10, min(30, shutil.get_terminal_size((80, 24)).columns - len(label) - 12))
        if fraction is None:
            bar = ""
        else:
            filled = round(max(0.0, min(1.0, fraction)) * width)
            bar = "[" + "#" * filled + "-" * (width - filled) + f"] {fraction * 100:3.0f}% "
        line = bar + label
        if line != self._last_line:
            self.stream.write("\r\x1b[2K" + line)
            self.stream.flush()
            self._last_line = line
            self._drawn = True

    def finish(self) -> None:
        """End the bar's line (on a terminal), so later output starts on a fresh line."""
        if self.interactive and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
        self._last_line = ""
