"""Pieces the direct-provider routes share: key checks in each provider's header scheme, a JSON body, the
emulator-only model words that pick several outputs (``emu-outputs-<n>``) or a failure with a provider code
(``emu-failed-<code>``), and cancellation kept with the task."""

from __future__ import annotations

import hmac
import json
import re
import time
from typing import Any

from .messages import Request
from .store import Task, TaskState

_OUTPUTS = re.compile(r"emu-outputs-([1-9])")
_FAILED = re.compile(r"emu-failed-([A-Za-z0-9_.]+)")
MAX_OUTPUTS = 9


def key_matches(req: Request, api_key: str, scheme: str) -> bool:
    """True when ``Authorization`` is ``<scheme> <api_key>`` (scheme case-insensitive; key compared in constant
    time, never echoed)."""
    header = req.header("Authorization")
    if header is None:
        return False
    given, _, token = header.strip().partition(" ")
    if given.lower() != scheme.lower():
        return False
    return hmac.compare_digest(token.strip().encode("utf-8"), api_key.encode("utf-8"))


def json_object(req: Request) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is not one."""
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def output_count(model: str) -> int:
    """How many videos a task of ``model`` makes: ``emu-outputs-<n>`` in the model name, else 1."""
    match = _OUTPUTS.search(model)
    return int(match.group(1)) if match else 1


def failure_code(model: str) -> str | None:
    """The provider failure code named by ``emu-failed-<code>`` in the model name (case kept), else None."""
    match = _FAILED.search(model)
    return match.group(1) if match else None


def cancel(task: Task) -> None:
    """Mark ``task`` cancelled now (its ``extra`` holds the time)."""
    task.extra["cancelled_at"] = time.time()


def cancelled(task: Task) -> bool:
    """True once ``task`` was cancelled."""
    return "cancelled_at" in task.extra


def is_int(value: Any) -> bool:
    """True for a JSON integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def phase(task: Task, state: TaskState) -> str:
    """The task's phase with cancellation and ``emu-failed-<code>`` applied: ``queued``, ``running``,
    ``completed``, ``failed`` or ``cancelled``."""
    if cancelled(task):
        return "cancelled"
    if state.phase == "completed" and task.extra.get("fail_code"):
        return "failed"
    return state.phase
