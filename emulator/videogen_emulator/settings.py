"""Run-time settings of one emulator, changeable through ``/_emulator/control``."""

from __future__ import annotations

import math
import random
import re
import threading
from typing import Any

from .progress_profiles import NAMES as PROGRESS_PROFILES

UNIFIED_SHAPES = ("envelope", "flat", "openai", "realtime")
KLING_SHAPES = ("envelope", "flat")
CHAT_FORMS = ("markdown", "plain", "part", "html")
AUTH_SCHEMES = ("Bearer", "Basic")
MAX_TASK_SECONDS = 7 * 24 * 3600.0


def _seconds(name: str):
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number")
        value = float(value)
        if not math.isfinite(value) or value < 0 or value > MAX_TASK_SECONDS:
            raise ValueError(f"{name} must be between 0 and {MAX_TASK_SECONDS:g}")
        return value
    return check


def _choice(name: str, choices: tuple[str, ...]):
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"{name} must be one of: {', '.join(choices)}")
        return value
    return check


def _optional_ms(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("poll_after_ms must be a non-negative integer or null")
    return value


def _task_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 4096:
        raise ValueError("task_id must be a string of at most 4096 characters, or null")
    return value


def _server_address(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", value):
        raise ValueError("server_address must be an http(s) URL (scheme, host, optional port and path) or null")
    return value.rstrip("/")


def _ttl(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("url_ttl_seconds must be an integer")
    return value


MAX_VIDEO_BYTES = 1 << 32


def _video_bytes(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VIDEO_BYTES:
        raise ValueError(f"video_bytes must be an integer from 1 to {MAX_VIDEO_BYTES}, or null")
    return value


VALIDATORS = {
    "task_seconds": _seconds("task_seconds"),
    "task_seconds_spread": _seconds("task_seconds_spread"),
    "unified_shape": _choice("unified_shape", UNIFIED_SHAPES),
    "kling_shape": _choice("kling_shape", KLING_SHAPES),
    "chat_form": _choice("chat_form", CHAT_FORMS),
    "www_authenticate": _choice("www_authenticate", AUTH_SCHEMES),
    "poll_after_ms": _optional_ms,
    "url_ttl_seconds": _ttl,
    "task_id": _task_id,
    "server_address": _server_address,
    "progress_profile": _choice("progress_profile", PROGRESS_PROFILES),
    "video_bytes": _video_bytes,
}


class Settings:
    """Thread-safe holder of the tunable settings.

    Keys: ``task_seconds`` (lifecycle length T of new tasks), ``task_seconds_spread`` (each new task lasts T
    plus a uniformly random extra of up to this many seconds; 0 by default), ``unified_shape``
    (default poll shape of ``/v1/video/generations/{id}``), ``kling_shape`` (Kling's
    own ``{code, data}`` envelope or the gateway's flat ``{task_id, status}``
    answer on ``/kling/v1/videos/...``), ``chat_form`` (how a chat completion
    carries the video link: ``markdown``, ``plain``, ``part`` or ``html``), ``www_authenticate``
    (scheme in the 401 challenge), ``poll_after_ms`` (``openai-poll-after-ms``
    header, or None for none), ``url_ttl_seconds`` (lifetime of signed CDN
    URLs; negative values produce already-expired URLs), ``task_id`` (the id every new task gets, for testing
    how clients take odd ids such as ``..``, ``a/b`` or ``""``; None, the default, for generated ids; a task with
    the same id replaces the earlier one) and ``server_address`` (the address the ``proxy`` scenario builds its
    content-route URLs from, as new-api's configured server address; None: this emulator's API origin under its
    other loopback name, see :mod:`.gateway`) and ``progress_profile`` (how the progress of new tasks rises over
    their running phase: ``linear``, the default, or a varying rate, see :mod:`.progress_profiles`) and
    ``video_bytes`` (None, the default: every task's video is the sample MP4; an integer: ``GET
    /v1/videos/{id}/content`` serves each task a video of its own of that many bytes, which depend on the task id,
    see :func:`.media.task_video_source`, with its SHA-256 in ``GET /_emulator/tasks``).
    """

    def __init__(self, **values: Any) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, Any] = {
            "task_seconds": 3.0, "task_seconds_spread": 0.0, "unified_shape": "envelope", "kling_shape": "envelope",
            "chat_form": "markdown",
            "www_authenticate": "Bearer", "poll_after_ms": None, "url_ttl_seconds": 600, "task_id": None, "server_address": None,
            "progress_profile": "linear", "video_bytes": None,
        }
        self.update(values)

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Validate all ``changes`` first, then apply them atomically.

        Raises ``KeyError`` (unknown key) or ``ValueError`` (bad value) and
        changes nothing in that case. Returns the new settings snapshot.
        """
        checked = {}
        for key, value in changes.items():
            if key not in VALIDATORS:
                raise KeyError(key)
            checked[key] = VALIDATORS[key](value)
        with self._lock:
            self._values.update(checked)
            return dict(self._values)

    def snapshot(self) -> dict[str, Any]:
        """Return a copy of the current settings."""
        with self._lock:
            return dict(self._values)

    def task_duration(self) -> float:
        """The lifecycle length of a new task: ``task_seconds`` plus a random share of ``task_seconds_spread``."""
        with self._lock:
            base, spread = self._values["task_seconds"], self._values["task_seconds_spread"]
        return base + random.uniform(0.0, spread) if spread else base

    def task_id(self, generate) -> str:
        """The id of a new task: the ``task_id`` setting when set, else ``generate()``."""
        with self._lock:
            fixed = self._values["task_id"]
        return generate() if fixed is None else fixed

    def get(self, key: str) -> Any:
        """Return the current value of one setting."""
        with self._lock:
            return self._values[key]
