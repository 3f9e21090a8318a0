"""Task store and lifecycle clock shared by every dialect.

A task never changes after creation: its state at any moment is computed from
the time elapsed since submission (monotonic clock), its duration ``T`` and its
scenario. That keeps the store trivially thread-safe (one lock around a dict).
"""

from __future__ import annotations

import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .gateway import SCENARIOS as GATEWAY_SCENARIOS, refusal_error
from .progress_profiles import progress_at

SCENARIOS = ("success", "fail", "stuck", "empty", "redirect") + GATEWAY_SCENARIOS
FAIL_CODE = "content_policy_violation"
FAIL_MESSAGE = "The request was rejected by the safety system (emulated)."
QUEUE_START = 3          # queue position at submission; falls to 0 by the end of the queued phase
QUEUED_FRACTION = 0.2    # share of T spent queued
STUCK_PROGRESS = 50

_ALNUM = string.ascii_letters + string.digits


def scenario_for(model: str, override: str | None = None) -> str:
    """Pick the scenario: the ``X-Emulator-Scenario`` value wins, else the model name.

    Models containing ``emu-fail``, ``emu-stuck``, ``emu-empty``,
    ``emu-redirect`` or one of the gateway scenarios (``emu-inline``,
    ``emu-proxy``, ``emu-blank-model``, ``emu-refused-<upstream>``: see
    :mod:`.gateway`) select that scenario; anything else is ``success``.
    Raises ``ValueError`` for an override that names no scenario.
    """
    if override is not None and override.strip():
        name = override.strip().lower()
        name = name[4:] if name.startswith("emu-") else name
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {override!r}; use one of {', '.join(SCENARIOS)}")
        return name
    lowered = model.lower()
    for name in SCENARIOS[1:]:
        if f"emu-{name}" in lowered:
            return name
    return "success"


_ERROR_SCENARIO = re.compile(r"emu-error-([a-z0-9_]+)")


def error_scenario(model: str) -> str | None:
    """The provider error code named by a model ``...emu-error-<code>...``, else None.

    Routes answer such a submit with that error (Kling business codes such as
    ``1102``, Router One codes such as ``insufficient_balance``) instead of
    creating a task, so clients can test their error mapping end to end.
    """
    match = _ERROR_SCENARIO.search(model.lower())
    return match.group(1) if match else None


def new_video_id() -> str:
    """An OpenAI-style id: ``video_`` + 24 hex digits."""
    return "video_" + secrets.token_hex(12)


def new_task_id() -> str:
    """A new-api public id: ``task_`` + 32 alphanumerics."""
    return "task_" + "".join(secrets.choice(_ALNUM) for _ in range(32))


def new_kling_id() -> str:
    """A Kling task id: 18 decimal digits, as a string."""
    return str(secrets.randbelow(9 * 10 ** 17) + 10 ** 17)


def new_routerone_id() -> str:
    """A Router One task id: ``v_`` + 24 hex digits."""
    return "v_" + secrets.token_hex(12)


def new_chat_id() -> str:
    """A chat completion id: ``chatcmpl-`` + 29 alphanumerics."""
    return "chatcmpl-" + "".join(secrets.choice(_ALNUM) for _ in range(29))


@dataclass(frozen=True)
class TaskState:
    """The state of a task at one instant.

    ``phase`` is ``queued``, ``running``, ``completed`` or ``failed``;
    ``elapsed`` and ``duration`` are seconds; ``started_at`` and
    ``finished_at`` are unix seconds (None until reached).
    """

    phase: str
    progress: int
    queue_position: int
    elapsed: float
    duration: float
    started_at: int | None
    finished_at: int | None
    error: dict[str, str] | None
    has_video: bool

    @property
    def terminal(self) -> bool:
        """True once completed or failed."""
        return self.phase in ("completed", "failed")


@dataclass(frozen=True)
class Task:
    """An emulated generation job (immutable; see :meth:`state`)."""

    id: str
    row_id: int
    dialect: str              # "openai", "unified", "kling", "routerone" or "chat"
    model: str
    prompt: str
    scenario: str
    duration: float           # T, seconds
    started: float            # time.monotonic() at submission
    created_at: float         # time.time() at submission
    seconds: str = "4"
    size: str = "720x1280"
    width: int = 720
    height: int = 1280
    fps: int = 24
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    remixed_from: str | None = None   # the source video of a remix (openai dialect)
    progress_profile: str = "linear"  # how its progress rises (see progress_profiles)

    def state(self, now: float | None = None) -> TaskState:
        """Compute the state at monotonic time ``now`` (default: now)."""
        elapsed = max(0.0, (time.monotonic() if now is None else now) - self.started)
        T = self.duration
        queued_until = QUEUED_FRACTION * T
        started_at = int(self.created_at + queued_until)
        if self.scenario == "stuck":
            if T > 0 and elapsed < queued_until:
                return self._queued(elapsed, queued_until)
            return TaskState("running", STUCK_PROGRESS, 0, elapsed, T, started_at, None, None, False)
        if elapsed >= T:
            finished_at = int(self.created_at + T)
            error = {"code": FAIL_CODE, "message": FAIL_MESSAGE} if self.scenario == "fail" \
                else refusal_error(self.scenario)
            if error is not None:
                return TaskState("failed", 100, 0, elapsed, T, started_at, finished_at, error, False)
            return TaskState("completed", 100, 0, elapsed, T, started_at, finished_at, None,
                             self.scenario != "empty")
        if elapsed < queued_until:
            return self._queued(elapsed, queued_until)
        if self.progress_profile == "linear":
            progress = int(100 * (elapsed - queued_until) / (T - queued_until))
        else:
            progress = int(progress_at(self.progress_profile, (elapsed - queued_until) / (T - queued_until)))
        progress = min(99, max(1, progress))
        return TaskState("running", progress, 0, elapsed, T, started_at, None, None, False)

    @property
    def completes_at(self) -> float | None:
        """The unix time at which the task becomes terminal (``created_at`` + T), None if it never does."""
        return None if self.scenario == "stuck" else self.created_at + self.duration

    def submitted_state(self) -> TaskState:
        """The state reported by the submit response (always queued, progress 0)."""
        return TaskState("queued", 0, QUEUE_START, 0.0, self.duration, None, None, None, False)

    def _queued(self, elapsed: float, queued_until: float) -> TaskState:
        # QUEUE_START, ..., 1, 0: each value for an equal share of the queued phase.
        position = min(QUEUE_START, int((QUEUE_START + 1) * (1 - elapsed / queued_until)))
        return TaskState("queued", 0, max(0, position), elapsed, self.duration, None, None, None, False)


class TaskStore:
    """Thread-safe map of task id to :class:`Task`."""

    def __init__(self, progress_profile: Callable[[], str] | None = None) -> None:
        """``progress_profile`` names the progress curve of each new task (default: linear)."""
        self._lock = threading.Lock()
        self._progress_profile = progress_profile
        self._tasks: dict[str, Task] = {}
        self._deleted: dict[str, int] = {}   # id -> row_id of deleted tasks, so list cursors naming them still work
        self._next_row = 1
        self._created = 0

    def create(self, *, id_: str, **fields: Any) -> Task:
        """Create, store and return a task; ``fields`` are :class:`Task` fields
        except ``id``, ``row_id``, ``started`` and ``created_at``."""
        if self._progress_profile is not None:
            fields.setdefault("progress_profile", self._progress_profile())
        with self._lock:
            task = Task(id=id_, row_id=self._next_row, started=time.monotonic(),
                        created_at=time.time(), **fields)
            self._next_row += 1
            self._created += 1
            self._tasks[task.id] = task
            return task

    def get(self, task_id: str) -> Task | None:
        """Return the task with this id, or None."""
        with self._lock:
            return self._tasks.get(task_id)

    def find(self, predicate) -> Task | None:
        """Return the first task for which ``predicate(task)`` is true, or None."""
        with self._lock:
            return next((t for t in self._tasks.values() if predicate(t)), None)

    def delete(self, task_id: str) -> Task | None:
        """Remove and return the task with this id (None if there is none); its id stays a valid list cursor."""
        with self._lock:
            task = self._tasks.pop(task_id, None)
            if task is not None:
                self._deleted[task.id] = task.row_id
            return task

    def row_of(self, task_id: str) -> int | None:
        """The creation rank of a task, live or deleted (for list cursors), or None for an unknown id."""
        with self._lock:
            task = self._tasks.get(task_id)
            return task.row_id if task is not None else self._deleted.get(task_id)

    def all(self) -> list[Task]:
        """Every task, in creation order."""
        with self._lock:
            return list(self._tasks.values())

    @property
    def created(self) -> int:
        """Tasks created since start or the last :meth:`clear` (deleted and replaced ones included)."""
        with self._lock:
            return self._created

    def clear(self) -> None:
        """Forget every task."""
        with self._lock:
            self._created = 0
            self._tasks.clear()
            self._deleted.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._tasks)
